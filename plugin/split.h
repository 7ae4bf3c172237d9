// Response -> one MISP document per indicator, as the text httpjson would publish as `message`.
//
// Events: httpjson's nested split with keep_parent (pipelines reference 2a) yields, per event,
// every (event attribute x object x object attribute) combination, so an event with 1,000
// attributes and 1,000 object attributes becomes a million documents. By default we emit each
// event attribute once (Object = []) and each object attribute once (Attribute = []), which is
// one document per indicator; SplitMode::kElasticCrossProduct restores httpjson's output.
// Documents are produced one at a time through a callback, so memory stays at one parsed body.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "mapping/json/value.h"

namespace misp::plugin {

enum class SplitMode { kPerIndicator, kElasticCrossProduct };

// Receives each split document as a tree, valid only during the call. Its text (the `message`
// httpjson publishes) is json::write_go(doc); the mapper takes the tree as it is
// (Mapper::map_split), so nothing is written and parsed again.
using EmitDoc = std::function<void(const json::Value& doc)>;

std::size_t split_event_docs(const json::Value& wrapper, SplitMode mode, const EmitDoc& emit);
std::size_t split_events_response_docs(const json::Value& body, SplitMode mode,
                                       const EmitDoc& emit);
std::size_t split_attributes_response_docs(const json::Value& body, const EmitDoc& emit);

// The same three handing over each document's text, for tools and tests; the view is valid only
// during the call.
using Emit = std::function<void(std::string_view message)>;

// Splits one event given as its `{"Event": {...}}` wrapper. Returns the number emitted.
std::size_t split_event(const json::Value& wrapper, SplitMode mode, const Emit& emit);

// Splits an /events/restSearch body ({"response": [...]}, or a bare list of {"Event"}).
std::size_t split_events_response(const json::Value& body, SplitMode mode, const Emit& emit);

// Splits an /attributes/restSearch body ({"response": {"Attribute": [...]}}, or PyMISP's
// {"Attribute": [...]}, or a bare list): one document per attribute.
std::size_t split_attributes_response(const json::Value& body, const Emit& emit);

}  // namespace misp::plugin
