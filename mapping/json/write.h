// Value -> JSON text.
#pragma once

#include <string>

#include "mapping/json/value.h"

namespace misp::json {

// Compact JSON, members in document order, doubles in shortest round-trip form (integral doubles
// keep a ".0", as Elasticsearch writes a Java Double).
void write(const Value& v, std::string& out);

// Exactly what Go's encoding/json Marshal writes for the same data decoded into interface{}, which
// is the `message` Filebeat's httpjson input publishes: object keys sorted byte-wise, numbers as
// float64, '<' '>' '&' U+2028 U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
void write_go(const Value& v, std::string& out);

// Appends s as a JSON string literal (standard escaping, no HTML escaping).
void write_string(std::string_view s, std::string& out);

}  // namespace misp::json
