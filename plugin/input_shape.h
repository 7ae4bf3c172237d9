// What the offline mapping entry (map()) reads: MISP JSON a user already has, recognised by shape.
//   - NDJSON of split documents (one httpjson `message` per line), passed through verbatim;
//   - an event export {"Event": {...}}, or PyMISP's bare event body, or a list of them;
//   - an /events/restSearch or /attributes/restSearch body (with or without the `response`
//     envelope PyMISP strips).
// A MISP feed directory is the host's to walk: each <uuid>.json is an event export.
// Errors, reported and never skipped silently: an empty input; each row of a response that is
// not an object (at its JSON pointer); a response list that is not a list; and text that is no
// JSON value and whose first two lines are none either (a pretty-printed document cut short),
// which is one error saying where it broke, never NDJSON fragments.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "mapping/options.h"
#include "plugin/result.h"
#include "plugin/split.h"

namespace misp::plugin {

// One split document, valid during the call: the text as read (an NDJSON line, a document that
// is split already), or a tree from the split whose text is json::write_go(*tree).
struct Message {
  std::string_view text;
  const json::Value* tree = nullptr;
  // With text: its parse (json::Parser), which the reader made to tell its shape. The receiver
  // may take it over and change it (Mapper::map_parsed) instead of parsing the text again.
  json::Value* parsed = nullptr;
};
// The message's text, written into buf when it is a tree.
std::string_view text_of(const Message& m, std::string& buf);

// where: "name:line" or "name: document N". Returns false to stop reading.
using OnMessage = std::function<bool(const Message& message, const std::string& where)>;
// A position that could not be read (kInputNotJson or kInputShape); reading goes on.
using OnInputError = std::function<void(const Error& error)>;

// Reads up to cap bytes into buf: the count, 0 at the end, -1 on a read error.
using Reader = std::function<std::int64_t(char* buf, std::size_t cap)>;

// How one JSON document is split. From split_from_text_bytes on, a response or export is split
// from its text (split_text.h: the same documents, about 2x the text in memory instead of 6-7x for
// a tree of it); smaller ones, and shapes split_text does not take, through a tree. Tests move the
// line to 0 or past any input to compare the two.
inline constexpr std::size_t kTextPadding = 64;  // what simdjson reads past the end
struct TextInput {
  std::size_t split_from_text_bytes = 8 << 20;
  std::size_t readable_after = 0;  // bytes readable past the content (kTextPadding: no copy)
};

// Reads the bytes of one source named `name`. Returns false when on_message stopped it.
bool read_input(std::string_view content, const std::string& name, mapping::Dataset dataset,
                SplitMode mode, const OnMessage& on_message, const OnInputError& on_error,
                const TextInput& how = {});

// read_input() over an input pulled in pieces: NDJSON is mapped line by line as it arrives (memory:
// one chunk plus the longest line); one JSON document is read whole first, then split from its
// text when large.
bool read_input_stream(const Reader& read, const std::string& name, mapping::Dataset dataset,
                       SplitMode mode, const OnMessage& on_message, const OnInputError& on_error,
                       const TextInput& how = {});

}  // namespace misp::plugin
