#include "mapping/json/go_roundtrip.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "mapping/json/parse.h"
#include "mapping/json/write.h"

namespace misp::json {

namespace {

// The general case, for what the fast paths below do not settle: write it, read it back.
Value through_text(Doc& doc, const Value& v) {
  static thread_local Parser parser;
  std::string text, error;
  write_go(v, text);
  Value out;
  if (!parser.parse(text, doc, out, error)) {
    // Only integers of 2^64 and more that Go writes without an exponent (below 1e21): JSON, but
    // beyond what our parser reads. A MISP document never holds one; keep the value as a double
    // (Elasticsearch would read a BigInteger) rather than lose the document.
    if (v.type == Type::kInt) return Value::real(static_cast<double>(v.i));
    if (v.type == Type::kUint) return Value::real(static_cast<double>(v.u));
    return v.type == Type::kDouble ? v : Value::null();
  }
  // The parsed strings live in the parser's buffer, which the next call reuses: copy them.
  return out.is_string() ? doc.new_string(out.str()) : out;
}

constexpr double kExact = 9007199254740992.0;  // 2^53: every integer below is a float64

Value number(Doc& doc, const Value& v) {
  switch (v.type) {
    case Type::kInt:
      if (v.i >= -static_cast<std::int64_t>(kExact) && v.i <= static_cast<std::int64_t>(kExact))
        return v;
      break;
    case Type::kDouble:
      // Shortest round-trip digits read back as the same double, unless Go writes the value
      // as an integer (no '.', no exponent), which reads back as an integer.
      if (std::isfinite(v.d) && v.d != std::trunc(v.d)) return v;
      if (v.d != 0 && std::fabs(v.d) < kExact)
        return Value::integer(static_cast<std::int64_t>(v.d));
      break;
    default:
      break;
  }
  return through_text(doc, v);
}

bool valid_utf8(std::string_view s) {
  // Nearly every string is ASCII: settle that inline and call the validator only past it.
  std::size_t i = 0;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i == s.size() || simdjson::validate_utf8(s.data() + i, s.size() - i);
}

// write_go's key order (byte-wise, as Go sorts): most keys already differ in their first byte.
bool key_before(const Member& a, const Member& b) {
  if (!a.key.empty() && !b.key.empty() && a.key[0] != b.key[0])
    return static_cast<unsigned char>(a.key[0]) < static_cast<unsigned char>(b.key[0]);
  return a.key < b.key;
}

Value text(Doc& doc, const Value& v) {
  return valid_utf8(v.str()) ? v : through_text(doc, v);  // U+FFFD where write_go replaces
}

std::string_view key(Doc& doc, std::string_view k) {
  if (valid_utf8(k)) return k;
  return through_text(doc, Value::string_view(k)).str();
}

}  // namespace

Value go_roundtrip(Doc& doc, const Value& v) {
  switch (v.type) {
    case Type::kNull:
    case Type::kBool:
      return v;
    case Type::kInt:
    case Type::kUint:
    case Type::kDouble:
      return number(doc, v);
    case Type::kString:
      return text(doc, v);
    case Type::kArray: {
      Value out = doc.new_array(v.a->size());
      for (const auto& e : *v.a) out.a->push_back(go_roundtrip(doc, e));
      return out;
    }
    case Type::kObject: {
      // Sorted by the keys as they are (write_go sorts before it replaces invalid UTF-8).
      Value out = doc.new_object(v.o->size());
      for (const auto& m : *v.o) out.o->push_back(m);
      std::stable_sort(out.o->begin(), out.o->end(), key_before);
      for (auto& m : *out.o) m = Member{key(doc, m.key), go_roundtrip(doc, m.value)};
      return out;
    }
  }
  return Value::null();
}

}  // namespace misp::json
