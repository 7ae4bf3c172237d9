// Splitting a large body held as text, without a tree of all of it: the same documents as
// parsing the body and calling split_events_response_docs / split_event_docs /
// split_attributes_response_docs (per-indicator mode), in the same order, but each document is
// parsed from its own slice of the text when it is emitted.
//
// Memory: the text, simdjson's structural index of it while its shape is read (4 bytes per
// structural character, freed before the first document), then one event's list of slices and
// one document at a time. A tree of the body costs about six times the text.
//
// The text is read through once first, every value checked as a DOM parse would, so a body
// that is not JSON emits nothing, exactly as when the tree could not be built.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "mapping/json/value.h"
#include "plugin/split.h"

namespace misp::plugin {

// A row of the body's list that is not an object: the split skips it (as httpjson does), and the
// caller is told first, before any document, with the row list's JSON pointer and index.
using OnBadRow = std::function<void(std::string_view pointer, std::size_t index, json::Type got)>;
// Asked between documents: true stops the split.
using ShouldStop = std::function<bool()>;

struct TextToSplit {
  std::string_view text;
  // Bytes readable past text.end() (simdjson reads up to 64 past the end); with fewer, the text
  // is copied once into a padded buffer.
  std::size_t readable_after = 0;
};

// One event row ({"Event": {...}, ...}, whose text is valid JSON, e.g. a slice of a page that was
// read through) at a time, split from its text as split_events_text() splits each row (per
// indicator): the poller's pages are read the same way. Reusable across rows.
class EventRowSplitter {
 public:
  EventRowSplitter(EmitDoc emit, ShouldStop should_stop);
  ~EventRowSplitter();
  EventRowSplitter(const EventRowSplitter&) = delete;
  EventRowSplitter& operator=(const EventRowSplitter&) = delete;

  // False when a slice of the row could not be read after all (a bug, not input): failure().
  bool split(TextToSplit row);
  const std::string& failure() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// An /events/restSearch body ({"response": [...]}), a list of {"Event"} rows, or one
// {"Event": {...}} export with attributes to split. Returns false, having emitted nothing, for
// any other shape and for text that is not JSON: the caller then splits the parsed tree.
// `failure` is set when a slice of the (valid) text could not be read after all, which would be
// a bug: the split stops there and says where.
bool split_events_text(TextToSplit in, const EmitDoc& emit, const OnBadRow& on_bad_row,
                       const ShouldStop& should_stop, std::string& failure);

// An /attributes/restSearch body ({"response": {"Attribute": [...]}}), PyMISP's
// {"Attribute": [...]}, or a bare list of attributes. Returns false as above.
bool split_attributes_text(TextToSplit in, const EmitDoc& emit, const OnBadRow& on_bad_row,
                           const ShouldStop& should_stop, std::string& failure);

}  // namespace misp::plugin
