#include "mapping/es/java_text.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace misp::mapping::es {

std::string java_double_to_string(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
  bool neg = s[0] == '-';
  if (neg) s.remove_prefix(1);
  auto e = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e))
    if (c != '.') digits += c;
  int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
  std::string out = neg ? "-" : "";
  double a = std::fabs(d);
  if (a >= 1e-3 && a < 1e7) {
    if (exp >= 0) {
      std::string ip = digits.substr(0, std::min<std::size_t>(digits.size(), exp + 1));
      while (ip.size() < static_cast<std::size_t>(exp + 1)) ip += '0';
      std::string fp =
          digits.size() > static_cast<std::size_t>(exp + 1) ? digits.substr(exp + 1) : "0";
      out += ip + "." + fp;
    } else {
      out += "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1);
  out += '.';
  out += digits.size() > 1 ? digits.substr(1) : "0";
  out += 'E';
  out += std::to_string(exp);
  return out;
}

std::string java_to_string(const json::Value& v) {
  using json::Type;
  switch (v.type) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return v.b ? "true" : "false";
    case Type::kInt:
      return std::to_string(v.i);
    case Type::kUint:
      return std::to_string(v.u);
    case Type::kDouble:
      return java_double_to_string(v.d);
    case Type::kString:
      return std::string(v.str());
    case Type::kArray: {
      std::string out = "[";
      bool first = true;
      for (const auto& e : *v.a) {
        if (!first) out += ", ";
        first = false;
        out += java_to_string(e);
      }
      return out + "]";
    }
    case Type::kObject: {
      std::string out = "{";
      bool first = true;
      for (const auto& m : *v.o) {
        if (!first) out += ", ";
        first = false;
        out += std::string(m.key) + "=" + java_to_string(m.value);
      }
      return out + "}";
    }
  }
  return {};
}

}  // namespace misp::mapping::es
