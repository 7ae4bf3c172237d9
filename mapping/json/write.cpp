#include "mapping/json/write.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace misp::json {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Writes through a raw pointer into a scratch buffer that is never zero-filled (std::string's
// resize would memset every byte it adds), and appends the result to the string once at the end.
// The scratch buffer stays with the thread between documents (no malloc/free pair per write);
// a Sink opened while another is open on the thread gets a buffer of its own.
class Sink {
 public:
  explicit Sink(std::string& s) : s_(s) {
    Scratch& t = scratch();
    if (!t.in_use) {
      t.in_use = owns_thread_buffer_ = true;
      buf_ = t.buf, cap_ = t.cap;
    }
    if (!buf_) {
      cap_ = 4096;
      buf_ = static_cast<char*>(std::malloc(cap_));
      if (!buf_) {
        if (owns_thread_buffer_) scratch().in_use = false;
        throw std::bad_alloc();
      }
    }
  }
  ~Sink() {
    s_.append(buf_, pos_);  // may throw std::bad_alloc from a destructor: then terminate, as before
    if (!owns_thread_buffer_) {
      std::free(buf_);
      return;
    }
    Scratch& t = scratch();
    if (cap_ > kKeep) {  // one huge document does not pin its memory
      std::free(buf_);
      buf_ = nullptr, cap_ = 0;
    }
    t.buf = buf_, t.cap = cap_, t.in_use = false;
  }
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Room for n more bytes; write them through the pointer, then commit().
  char* room(std::size_t n) {
    if (cap_ - pos_ < n) {
      std::size_t cap = std::max(cap_ * 2, pos_ + n);
      char* grown = static_cast<char*>(std::realloc(buf_, cap));
      if (!grown) throw std::bad_alloc();
      buf_ = grown, cap_ = cap;
    }
    return buf_ + pos_;
  }
  void commit(char* end) { pos_ = static_cast<std::size_t>(end - buf_); }
  void put(char c) { *room(1) = c, ++pos_; }
  void put(std::string_view text) {
    char* p = room(text.size());
    if (!text.empty()) std::memcpy(p, text.data(), text.size());
    pos_ += text.size();
  }

 private:
  static constexpr std::size_t kKeep = 1 << 20;
  struct Scratch {
    char* buf = nullptr;
    std::size_t cap = 0;
    bool in_use = false;
    ~Scratch() { std::free(buf); }
  };
  static Scratch& scratch() {
    static thread_local Scratch t;
    return t;
  }
  std::string& s_;
  std::size_t cap_ = 0, pos_ = 0;
  char* buf_ = nullptr;
  bool owns_thread_buffer_ = false;
};

// Per byte below 0x80: 0 = copy as is, 2 = backslash + short form, 6 = \u00XX.
struct EscapeTable {
  unsigned char len[128];
  char short_form[128];
  bool html[128];  // Go's encoder also escapes < > &
  constexpr EscapeTable() : len(), short_form(), html() {
    for (int c = 0; c < 0x20; ++c) len[c] = 6;
    const char pairs[][2] = {{'"', '"'},  {'\\', '\\'}, {'\n', 'n'}, {'\r', 'r'},
                             {'\t', 't'}, {'\b', 'b'},  {'\f', 'f'}};
    for (const auto& p : pairs) {
      len[static_cast<unsigned char>(p[0])] = 2;
      short_form[static_cast<unsigned char>(p[0])] = p[1];
    }
    html[static_cast<unsigned char>('<')] = html[static_cast<unsigned char>('>')] =
        html[static_cast<unsigned char>('&')] = true;
  }
};
constexpr EscapeTable kEscape;

char* put_u_escape(char* p, unsigned cp) {
  p[0] = '\\', p[1] = 'u', p[2] = kHex[(cp >> 12) & 0xF], p[3] = kHex[(cp >> 8) & 0xF],
  p[4] = kHex[(cp >> 4) & 0xF], p[5] = kHex[cp & 0xF];
  return p + 6;
}

// Length of the valid UTF-8 sequence at s[i], 0 when invalid; cp gets the code point.
std::size_t utf8_len(std::string_view s, std::size_t i, unsigned& cp) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07;
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

#if defined(__SSE2__)
// Bytes of a 16-byte block that are not copied unchanged: control bytes and bytes >= 0x80 (a
// signed compare below 0x20 catches both), '"' and '\\', and for Go also '<' '>' '&'.
template <bool go_style>
__m128i special_bytes(__m128i b) {
  __m128i bad = _mm_or_si128(
      _mm_cmplt_epi8(b, _mm_set1_epi8(0x20)),
      _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('"')), _mm_cmpeq_epi8(b, _mm_set1_epi8('\\'))));
  if (go_style)
    bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('<')),
                                         _mm_or_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8('>')),
                                                      _mm_cmpeq_epi8(b, _mm_set1_epi8('&')))));
  return bad;
}

// True when the 16 bytes from p lie in one 4 KiB page, so reading them cannot fault even where
// the string ends sooner.
inline bool within_one_page(const char* p) {
  return (reinterpret_cast<std::uintptr_t>(p) & 4095) <= 4096 - 16;
}
// Reads 16 bytes of which only the first few belong to the string (the caller checked
// within_one_page). The sanitizers cannot know the rest is harmless, so they are told not to
// look at this one load.
__attribute__((no_sanitize("address"))) inline __m128i load_past_end(const char* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}
#endif

// A JSON string literal. Output is always valid UTF-8: invalid input bytes become U+FFFD (as Go
// does). go_style adds Go's HTML and U+2028/U+2029 escapes.
template <bool go_style>
void put_string(std::string_view s, Sink& out) {
  // Worst case every byte a \u escape; 16 more for the block store below.
  char* p = out.room(s.size() * 6 + 2 + 16);
  *p++ = '"';
  std::size_t i = 0;
  while (i < s.size()) {
#if defined(__SSE2__)
    // Plain bytes 16 at a time: store the block whole, then keep the part before the first byte
    // that needs care. No memcpy call per run: JSON text in event.original has a quote every few
    // bytes, so runs are short.
    while (i + 16 <= s.size()) {
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p), b);
      int mask = _mm_movemask_epi8(special_bytes<go_style>(b));
      if (!mask) {
        i += 16, p += 16;
        continue;
      }
      auto k = static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
      i += k, p += k;
      break;
    }
    if (i == s.size()) break;
    // The short tail (and most keys and values are short): one block read anyway when it stays
    // within the page, the bytes past the string ignored.
    if (std::size_t rest = s.size() - i; rest < 16 && within_one_page(s.data() + i)) {
      __m128i b = load_past_end(s.data() + i);
      int mask = _mm_movemask_epi8(special_bytes<go_style>(b)) & ((1 << rest) - 1);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p), b);
      if (!mask) {
        p += rest;
        break;
      }
      auto k = static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
      i += k, p += k;
    }
#endif
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (go_style && kEscape.html[c]) {
        p = put_u_escape(p, c);
      } else {
        switch (kEscape.len[c]) {
          case 0:
            *p++ = static_cast<char>(c);
            break;
          case 2:
            p[0] = '\\', p[1] = kEscape.short_form[c], p += 2;
            break;
          default:
            p = put_u_escape(p, c);
        }
      }
      ++i;
      continue;
    }
    unsigned cp;
    std::size_t n = utf8_len(s, i, cp);
    if (n == 0) {
      p = put_u_escape(p, 0xFFFD);
      ++i;
    } else if (go_style && (cp == 0x2028 || cp == 0x2029)) {
      p = put_u_escape(p, cp);
      i += n;
    } else {
      std::memcpy(p, s.data() + i, n);
      p += n, i += n;
    }
  }
  *p++ = '"';
  out.commit(p);
}

template <typename T>
void put_integer(T v, Sink& out) {
  char* p = out.room(24);
  out.commit(std::to_chars(p, p + 24, v).ptr);
}

// Elasticsearch writes a Java Double: integral values keep ".0".
void put_double(double d, Sink& out) {
  if (!std::isfinite(d)) {  // cannot come from JSON text; keep the output valid
    out.put("null");
    return;
  }
  char buf[64];
  std::string_view s(buf,
                     static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, d).ptr - buf));
  out.put(s);
  if (s.find_first_of(".eE") == std::string_view::npos) out.put(".0");
}

// Go's strconv.FormatFloat(f, 'f' or 'e', -1, 64) as encoding/json chooses between them.
void put_go_double(double d, Sink& out) {
  if (!std::isfinite(d)) {
    out.put("null");
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
  auto e = sci.find('e');
  int exp = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+'), sci.data() + sci.size(), exp);
  double a = std::fabs(d);
  if (a != 0 && (a < 1e-6 || a >= 1e21)) {
    out.put(sci.substr(0, e));
    out.put(exp < 0 ? "e-" : "e+");
    put_integer(exp < 0 ? -exp : exp, out);  // Go writes e-07 as e-7
    return;
  }
  // Shortest round-trip digits laid out without an exponent (Go pads with zeros where C++'s
  // fixed form would print the exact binary value).
  if (sci[0] == '-') {
    out.put('-');
    sci.remove_prefix(1), --e;
  }
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  if (d == 0) exp = 0;
  if (exp < 0) {
    out.put("0.");
    out.put(std::string(static_cast<std::size_t>(-exp - 1), '0'));
    out.put(digits);
  } else if (static_cast<std::size_t>(exp) + 1 >= digits.size()) {
    out.put(digits);
    out.put(std::string(static_cast<std::size_t>(exp) + 1 - digits.size(), '0'));
  } else {
    out.put(std::string_view(digits).substr(0, static_cast<std::size_t>(exp) + 1));
    out.put('.');
    out.put(std::string_view(digits).substr(static_cast<std::size_t>(exp) + 1));
  }
}

// One recursive writer for both dialects; Go's sorts object keys and formats every number as
// float64.
template <bool go_style>
void put_value(const Value& v, Sink& out) {
  switch (v.type) {
    case Type::kNull:
      out.put("null");
      break;
    case Type::kBool:
      out.put(v.b ? std::string_view("true") : std::string_view("false"));
      break;
    case Type::kInt:
      if (go_style)
        put_go_double(static_cast<double>(v.i), out);
      else
        put_integer(v.i, out);
      break;
    case Type::kUint:
      if (go_style)
        put_go_double(static_cast<double>(v.u), out);
      else
        put_integer(v.u, out);
      break;
    case Type::kDouble:
      if (go_style)
        put_go_double(v.d, out);
      else
        put_double(v.d, out);
      break;
    case Type::kString:
      put_string<go_style>(v.str(), out);
      break;
    case Type::kArray: {
      out.put('[');
      bool first = true;
      for (const auto& e : *v.a) {
        if (!first) out.put(',');
        first = false;
        put_value<go_style>(e, out);
      }
      out.put(']');
      break;
    }
    case Type::kObject: {
      const auto& members = *v.o;
      if (!go_style) {  // document order: no index to sort
        out.put('{');
        for (std::size_t k = 0; k < members.size(); ++k) {
          if (k) out.put(',');
          put_string<false>(members[k].key, out);
          out.put(':');
          put_value<false>(members[k].value, out);
        }
        out.put('}');
        break;
      }
      const Member* stack_index[64];
      std::vector<const Member*> heap_index;
      const Member** index = stack_index;
      if (members.size() > 64) {
        heap_index.resize(members.size());
        index = heap_index.data();
      }
      for (std::size_t k = 0; k < members.size(); ++k) index[k] = &members[k];
      if (go_style)
        std::stable_sort(index, index + members.size(),
                         [](const Member* a, const Member* b) { return a->key < b->key; });
      out.put('{');
      for (std::size_t k = 0; k < members.size(); ++k) {
        if (k) out.put(',');
        put_string<go_style>(index[k]->key, out);
        out.put(':');
        put_value<go_style>(index[k]->value, out);
      }
      out.put('}');
      break;
    }
  }
}

}  // namespace

void write_string(std::string_view s, std::string& out) {
  Sink sink(out);
  put_string<false>(s, sink);
}

void write(const Value& v, std::string& out) {
  Sink sink(out);
  put_value<false>(v, sink);
}

void write_go(const Value& v, std::string& out) {
  Sink sink(out);
  put_value<true>(v, sink);
}

}  // namespace misp::json
