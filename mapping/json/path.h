// Dotted field paths over a Value, with the semantics of Elasticsearch's IngestDocument:
// "a.b.c" walks objects; a numeric segment indexes an array.
#pragma once

#include <string_view>

#include "mapping/json/value.h"

namespace misp::json {

// The value at path, or nullptr when any segment is missing or the walk meets a scalar.
Value* get(Value& root, std::string_view path);
const Value* get(const Value& root, std::string_view path);

// Sets path to v, creating objects for missing segments. Throws std::invalid_argument with
// Elasticsearch's wording when a parent on the way is not an object.
void put(Doc& doc, Value& root, std::string_view path, Value v);

// Removes path; returns false when it was not there.
bool remove(Value& root, std::string_view path);

}  // namespace misp::json
