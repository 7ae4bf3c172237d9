// How Elasticsearch turns a document value into text before parsing it: Java's toString().
#pragma once

#include <string>

#include "mapping/json/value.h"

namespace misp::mapping::es {

// Java Double.toString(d): "1.0", "1000.5", "1.5E9", "1.0E-4" (shortest digits that round-trip).
std::string java_double_to_string(double d);

// String.valueOf(value) for a JSON value as Elasticsearch holds it (String, Integer/Long, Double,
// Boolean, BigInteger; lists and maps print Java collection style).
std::string java_to_string(const json::Value& v);

}  // namespace misp::mapping::es
