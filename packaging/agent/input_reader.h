// What `misp-agent map` reads: MISP JSON a user already has, recognised by shape.
//   - NDJSON of split documents (one httpjson `message` per line), passed through verbatim;
//   - an event export {"Event": {...}}, or PyMISP's bare event body, or a list of them;
//   - an /events/restSearch or /attributes/restSearch body (with or without the `response`
//     envelope PyMISP strips);
//   - a MISP feed directory (manifest.json + one <uuid>.json per event).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "mapping/json/value.h"
#include "mapping/options.h"
#include "plugin/split.h"

namespace misp::agent {

// message: one split document; where: "file:line" or "file: document N".
using OnMessage = std::function<void(std::string_view message, const std::string& where)>;

struct ReadStats {
  std::size_t messages = 0;
  std::size_t errors = 0;
};

class InputReader {
 public:
  InputReader(mapping::Dataset dataset, plugin::SplitMode mode) : dataset_(dataset), mode_(mode) {}

  // Reads a file, a directory (feed) or "-" (stdin). Problems are reported through on_error with
  // the position and counted; reading goes on with the next document where it can.
  ReadStats read_path(const std::string& path, const OnMessage& on_message,
                      const std::function<void(const std::string&)>& on_error);
  ReadStats read_text(std::string_view content, const std::string& name,
                      const OnMessage& on_message,
                      const std::function<void(const std::string&)>& on_error);

 private:
  // Handles one parsed JSON value (text is its source, passed on verbatim for split documents)
  // found at `where`; returns false when its shape is unknown.
  bool dispatch(std::string_view text, const json::Value& v, json::Doc& doc,
                const std::string& where, const OnMessage& on_message, std::string& error,
                std::size_t& count);

  mapping::Dataset dataset_;
  plugin::SplitMode mode_;
};

}  // namespace misp::agent
