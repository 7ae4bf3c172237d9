// What the offline mapping entry (map()) reads: MISP JSON a user already has, recognised by shape.
//   - NDJSON of split documents (one httpjson `message` per line), passed through verbatim;
//   - an event export {"Event": {...}}, or PyMISP's bare event body, or a list of them;
//   - an /events/restSearch or /attributes/restSearch body (with or without the `response`
//     envelope PyMISP strips).
// A MISP feed directory is the host's to walk: each <uuid>.json is an event export.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "mapping/options.h"
#include "plugin/result.h"
#include "plugin/split.h"

namespace misp::plugin {

// message: one split document (valid during the call); where: "name:line" or
// "name: document N". Returns false to stop reading.
using OnMessage = std::function<bool(std::string_view message, const std::string& where)>;
// A position that could not be read (kInputNotJson or kInputShape); reading goes on.
using OnInputError = std::function<void(const Error& error)>;

// Reads the bytes of one source named `name`. Returns false when on_message stopped it.
bool read_input(std::string_view content, const std::string& name, mapping::Dataset dataset,
                SplitMode mode, const OnMessage& on_message, const OnInputError& on_error);

}  // namespace misp::plugin
