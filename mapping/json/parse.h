// JSON text -> Value, through simdjson (the fastest parser Debian ships).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mapping/json/value.h"

namespace misp::json {

// Reusable parser. Strings of the returned tree point into this parser's buffers and into the
// Doc's arena: they stay valid until the next parse() or doc.reset().
class Parser {
 public:
  Parser();
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // On failure returns false and sets error to simdjson's description of the problem.
  bool parse(std::string_view text, Doc& doc, Value& out, std::string& error);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace misp::json
