#include "mapping/json/write.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace misp::json {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_u_escape(unsigned cp, std::string& out) {
  char buf[6] = {'\\', 'u', kHex[(cp >> 12) & 0xF], kHex[(cp >> 8) & 0xF], kHex[(cp >> 4) & 0xF],
                 kHex[cp & 0xF]};
  out.append(buf, 6);
}

// Escapes for bytes below 0x20, '"' and '\\'. Returns true when c needs escaping.
inline bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

void append_basic_escape(unsigned char c, std::string& out) {
  switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    default: append_u_escape(c, out);
  }
}

void write_double(double d, std::string& out) {
  if (!std::isfinite(d)) {  // cannot come from JSON text; keep output valid
    out += "null";
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
  out += s;
  if (s.find_first_of(".eE") == std::string_view::npos && s.find("inf") == std::string_view::npos)
    out += ".0";
}

// Go's strconv.FormatFloat(f, 'g'-ish) as used by encoding/json for float64.
void write_go_double(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[64];
  double a = std::fabs(d);
  std::to_chars_result r;
  if (a != 0 && (a < 1e-6 || a >= 1e21)) {
    r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    // Go writes e-07 as e-7 (two-digit exponents lose a leading zero).
    std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
    auto e = s.find('e');
    std::string_view mant = s.substr(0, e), exp = s.substr(e + 1);
    out += mant;
    out += 'e';
    out += exp[0];
    exp.remove_prefix(1);
    if (exp.size() == 2 && exp[0] == '0') exp.remove_prefix(1);
    out += exp;
    return;
  }
  // Shortest round-trip digits, laid out without an exponent (Go pads with zeros where C++'s
  // fixed form would print the exact binary value).
  r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
  if (sci[0] == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  int exp = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+'), sci.data() + sci.size(), exp);
  if (exp < 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-exp - 1), '0');
    out += digits;
  } else if (static_cast<std::size_t>(exp) + 1 >= digits.size()) {
    out += digits;
    out.append(static_cast<std::size_t>(exp) + 1 - digits.size(), '0');
  } else {
    out.append(digits, 0, static_cast<std::size_t>(exp) + 1);
    out += '.';
    out.append(digits, static_cast<std::size_t>(exp) + 1);
  }
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when invalid.
std::size_t utf8_len(std::string_view s, std::size_t i, unsigned& cp) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  static constexpr unsigned kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void write_go_string(std::string_view s, std::string& out) {
  out += '"';
  std::size_t i = 0, start = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (needs_escape(c) || c == '<' || c == '>' || c == '&') {
        out.append(s.data() + start, i - start);
        if (c == '<' || c == '>' || c == '&')
          append_u_escape(c, out);
        else
          append_basic_escape(c, out);
        start = ++i;
      } else {
        ++i;
      }
      continue;
    }
    unsigned cp;
    std::size_t n = utf8_len(s, i, cp);
    if (n == 0) {
      out.append(s.data() + start, i - start);
      out += "\\ufffd";
      start = ++i;
    } else if (cp == 0x2028 || cp == 0x2029) {
      out.append(s.data() + start, i - start);
      append_u_escape(cp, out);
      i += n;
      start = i;
    } else {
      i += n;
    }
  }
  out.append(s.data() + start, s.size() - start);
  out += '"';
}

}  // namespace

// Per byte: 0 = copy as is, 1 = two-character escape, 6 = \u00XX; bytes >= 0x80 are checked
// for valid UTF-8 separately.
struct EscapeTable {
  unsigned char len[256];
  char short_form[256];
  constexpr EscapeTable() : len(), short_form() {
    for (int c = 0; c < 0x20; ++c) len[c] = 6;
    const char pairs[][2] = {{'"', '"'}, {'\\', '\\'}, {'\n', 'n'}, {'\r', 'r'},
                             {'\t', 't'}, {'\b', 'b'}, {'\f', 'f'}};
    for (const auto& p : pairs) {
      len[static_cast<unsigned char>(p[0])] = 2;
      short_form[static_cast<unsigned char>(p[0])] = p[1];
    }
  }
};
constexpr EscapeTable kEscape;

void write_string(std::string_view s, std::string& out) {
  // Pass 1: the exact output size (and whether any byte needs a closer look).
  std::size_t extra = 0;
  bool high = false;
  for (unsigned char c : s) {
    extra += kEscape.len[c] ? kEscape.len[c] - 1u : 0u;
    high |= c >= 0x80;
  }
  if (high) {
    // Rare: validate UTF-8 the careful way, replacing invalid bytes with U+FFFD.
    out += '"';
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size();) {
      auto c = static_cast<unsigned char>(s[i]);
      if (c < 0x80) {
        if (kEscape.len[c]) {
          out.append(s.data() + start, i - start);
          append_basic_escape(c, out);
          start = i + 1;
        }
        ++i;
        continue;
      }
      unsigned cp;
      std::size_t n = utf8_len(s, i, cp);
      if (n == 0) {
        out.append(s.data() + start, i - start);
        out += "\\ufffd";
        start = ++i;
      } else {
        i += n;
      }
    }
    out.append(s.data() + start, s.size() - start);
    out += '"';
    return;
  }
  // Pass 2: write straight into the reserved space.
  std::size_t pos = out.size();
  out.resize(pos + s.size() + extra + 2);
  char* p = out.data() + pos;
  *p++ = '"';
  if (extra == 0) {
    if (!s.empty()) std::memcpy(p, s.data(), s.size());  // an empty view may have no data
    p += s.size();
  } else {
    for (unsigned char c : s) {
      switch (kEscape.len[c]) {
        case 0: *p++ = static_cast<char>(c); break;
        case 2: *p++ = '\\'; *p++ = kEscape.short_form[c]; break;
        default:
          std::memcpy(p, "\\u00", 4);
          p[4] = kHex[c >> 4];
          p[5] = kHex[c & 0xF];
          p += 6;
      }
    }
  }
  *p = '"';
}

void write(const Value& v, std::string& out) {
  char buf[32];
  switch (v.type) {
    case Type::kNull: out += "null"; break;
    case Type::kBool: out += v.b ? "true" : "false"; break;
    case Type::kInt: {
      auto r = std::to_chars(buf, buf + sizeof buf, v.i);
      out.append(buf, static_cast<std::size_t>(r.ptr - buf));
      break;
    }
    case Type::kUint: {
      auto r = std::to_chars(buf, buf + sizeof buf, v.u);
      out.append(buf, static_cast<std::size_t>(r.ptr - buf));
      break;
    }
    case Type::kDouble: write_double(v.d, out); break;
    case Type::kString: write_string(v.str(), out); break;
    case Type::kArray: {
      out += '[';
      bool first = true;
      for (const auto& e : *v.a) {
        if (!first) out += ',';
        first = false;
        write(e, out);
      }
      out += ']';
      break;
    }
    case Type::kObject: {
      out += '{';
      bool first = true;
      for (const auto& m : *v.o) {
        if (!first) out += ',';
        first = false;
        write_string(m.key, out);
        out += ':';
        write(m.value, out);
      }
      out += '}';
      break;
    }
  }
}

void write_go(const Value& v, std::string& out) {
  switch (v.type) {
    case Type::kInt: write_go_double(static_cast<double>(v.i), out); break;
    case Type::kUint: write_go_double(static_cast<double>(v.u), out); break;
    case Type::kDouble: write_go_double(v.d, out); break;
    case Type::kString: write_go_string(v.str(), out); break;
    case Type::kArray: {
      out += '[';
      bool first = true;
      for (const auto& e : *v.a) {
        if (!first) out += ',';
        first = false;
        write_go(e, out);
      }
      out += ']';
      break;
    }
    case Type::kObject: {
      // Go sorts map keys; a small index array avoids copying members.
      const auto& members = *v.o;
      const Member* stack_index[64];
      std::vector<const Member*> heap_index;
      const Member** index = stack_index;
      if (members.size() > 64) {
        heap_index.resize(members.size());
        index = heap_index.data();
      }
      for (std::size_t k = 0; k < members.size(); ++k) index[k] = &members[k];
      std::sort(index, index + members.size(),
                [](const Member* a, const Member* b) { return a->key < b->key; });
      out += '{';
      for (std::size_t k = 0; k < members.size(); ++k) {
        if (k) out += ',';
        write_go_string(index[k]->key, out);
        out += ':';
        write_go(index[k]->value, out);
      }
      out += '}';
      break;
    }
    default: write(v, out);
  }
}

}  // namespace misp::json
