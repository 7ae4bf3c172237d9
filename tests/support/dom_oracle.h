// The reference json::Parser is checked against: simdjson's DOM parser, whose tree the parser
// once copied. typed() and dom_typed() print a tree with every number's type and exact bits, so
// two trees print alike only when they hold the same members, in the same order, with the same
// types and values.
#pragma once

#include <simdjson.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/json/value.h"

namespace misp::test {

inline void typed_string(std::string_view s, std::string& out) {
  out += 's';
  out += std::to_string(s.size());
  out += ':';
  out.append(s);
}

inline void typed_double(double d, std::string& out) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "d%a", d);
  out += buf;
}

inline void typed(const json::Value& v, std::string& out) {
  using json::Type;
  switch (v.type) {
    case Type::kNull:
      out += 'n';
      break;
    case Type::kBool:
      out += v.b ? "T" : "F";
      break;
    case Type::kInt:
      out += 'i' + std::to_string(v.i);
      break;
    case Type::kUint:
      out += 'u' + std::to_string(v.u);
      break;
    case Type::kDouble:
      typed_double(v.d, out);
      break;
    case Type::kString:
      typed_string(v.str(), out);
      break;
    case Type::kArray:
      out += '[';
      for (const auto& e : *v.a) typed(e, out), out += ',';
      out += ']';
      break;
    case Type::kObject:
      out += '{';
      for (const auto& m : *v.o)
        typed_string(m.key, out), out += '=', typed(m.value, out), out += ',';
      out += '}';
      break;
  }
}

inline void dom_typed(simdjson::dom::element e, std::string& out) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::NULL_VALUE:
      out += 'n';
      break;
    case element_type::BOOL:
      out += e.get_bool().value_unsafe() ? "T" : "F";
      break;
    case element_type::INT64:
      out += 'i' + std::to_string(e.get_int64().value_unsafe());
      break;
    case element_type::UINT64:
      out += 'u' + std::to_string(e.get_uint64().value_unsafe());
      break;
    case element_type::DOUBLE:
      typed_double(e.get_double().value_unsafe(), out);
      break;
    case element_type::STRING:
      typed_string(e.get_string().value_unsafe(), out);
      break;
    case element_type::ARRAY: {
      simdjson::dom::array a = e.get_array().value_unsafe();
      out += '[';
      for (auto x : a) dom_typed(x, out), out += ',';
      out += ']';
      break;
    }
    case element_type::OBJECT: {
      simdjson::dom::object o = e.get_object().value_unsafe();
      out += '{';
      for (auto f : o) typed_string(f.key, out), out += '=', dom_typed(f.value, out), out += ',';
      out += '}';
      break;
    }
  }
}

// The DOM's reading of text: false when it refuses it.
inline bool dom_typed(std::string_view text, std::string& out) {
  static simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root)) return false;
  dom_typed(root, out);
  return true;
}

// JSON's edge cases, for what must read text exactly as the DOM does: numbers at the integer and
// double limits, escapes and surrogates, control and invalid bytes, broken structure, trailing
// content, and nesting around the DOM's depth limit of 1024 (lists and objects, empty and not).
inline std::vector<std::string> json_edge_cases() {
  std::vector<std::string> cases = {
      "{}",
      "[]",
      "null",
      "true",
      "false",
      "0",
      "-0",
      "-0.0",
      "1e400",
      "-1e400",
      "1E-400",
      "123456789012345678901234567890",
      "18446744073709551615",
      "18446744073709551616",
      "9223372036854775807",
      "9223372036854775808",
      "-9223372036854775808",
      "-9223372036854775809",
      "0.1",
      "1.7976931348623157e308",
      "4.9e-324",
      "01",
      "1.",
      ".5",
      "+1",
      "1e",
      "\"\"",
      "\"a\\\"b\"",
      "\"\\u00e9\\ud83d\\ude00\"",
      "\"\\ud800\"",
      "\"\\udc00\\ud800\"",
      "\"\\q\"",
      "\"\\u12\"",
      "\"a\x01\"",
      "\"a\x7f\"",
      "\"\xc3\xa9\"",
      "\"\xff\"",
      "\"\xed\xa0\x80\"",
      "{\"k\\u0041\":1}",
      "{\"a\\q\":1}",
      "{\"a\":1,\"a\":2}",
      "{\"a\":1,}",
      "[1,]",
      "[1 2]",
      "{\"a\" 1}",
      "{1:2}",
      "[1] 2",
      "[1]   \n",
      "  {\"a\":[]}  ",
      "",
      "   ",
      "[",
      "]",
      "{\"a\":tru}",
      "[nul]",
      "[truex]",
      "[nullx]",
      "[\"a\"\"b\"]",
      "[[[[[[[[[[]]]]]]]]]]",
      "{\"a\":{\"b\":{\"c\":[1,{\"d\":null}]}}}",
      "\"abc",
      "[\"\t\"]",
      "[1.0e+2, -1.5E-3, 1e22, 1e21]",
      "[\"a\\/b\", \"\\b\\f\\n\\r\\t\"]",
      "{\"response\":[{\"Event\":{\"Attribute\":[{\"v\":1}]}}]} x",
      std::string("[\"a\0b\"]", 7),
  };
  for (std::size_t depth : {1022, 1023, 1024, 1025, 2000, 100000}) {
    cases.push_back(std::string(depth, '[') + std::string(depth, ']'));
    cases.push_back(std::string(depth, '[') + "1" + std::string(depth, ']'));
    std::string objects;
    for (std::size_t i = 0; i < depth; ++i) objects += "{\"a\":";
    cases.push_back(objects + "{}" + std::string(depth, '}'));
    cases.push_back(objects + "[1]" + std::string(depth, '}'));
    cases.push_back(objects + "1" + std::string(depth, '}'));
  }
  cases.push_back(std::string(1000000, '[') + std::string(1000000, ']'));
  return cases;
}

}  // namespace misp::test
