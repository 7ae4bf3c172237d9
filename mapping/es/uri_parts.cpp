#include "mapping/es/uri_parts.h"

#include <charconv>
#include <cstring>

namespace misp::mapping::es {

namespace {

bool alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool digit(char c) {
  return c >= '0' && c <= '9';
}
bool alnum(char c) {
  return alpha(c) || digit(c);
}
bool hex(char c) {
  return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool mark(char c) {
  return std::strchr("-_.!~*'()", c) != nullptr && c != 0;
}
bool unreserved(char c) {
  return alnum(c) || mark(c);
}
// Java lets non-ASCII characters that are neither space nor control through as "other".
bool other(char c) {
  return static_cast<unsigned char>(c) >= 0x80;
}

// Checks s against a character class; '%' must start a valid escape.
template <typename Pred>
bool check(std::string_view s, Pred allowed) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return false;
      if (!hex(s[i + 1]) || !hex(s[i + 2])) return false;
      i += 2;
      continue;
    }
    if (!allowed(c) && !other(c)) return false;
  }
  return true;
}

bool uric(char c) {
  return unreserved(c) || (c && std::strchr(";/?:@&=+$,[]", c));
}
bool pchar_path(char c) {
  return unreserved(c) || (c && std::strchr(":@&=+$,;/", c));
}
bool userinfo_char(char c) {
  return unreserved(c) || (c && std::strchr(";:&=+$,", c));
}
bool regname_char(char c) {
  return unreserved(c) || (c && std::strchr("$,;:@&=+", c));
}

// java.net.URI.decode: %XX sequences as UTF-8, malformed input becomes U+FFFD.
std::string decode(std::string_view s) {
  if (s.find('%') == std::string_view::npos) return std::string(s);
  std::string bytes;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) && hex(s[i + 2])) {
      unsigned v = 0;
      std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      bytes += static_cast<char>(v);
      i += 2;
    } else {
      bytes += s[i];
    }
  }
  // Replace malformed UTF-8 with U+FFFD, one replacement per maximal invalid prefix.
  std::string out;
  for (std::size_t i = 0; i < bytes.size();) {
    auto c = static_cast<unsigned char>(bytes[i]);
    std::size_t n = c < 0x80             ? 1
                    : (c & 0xE0) == 0xC0 ? 2
                    : (c & 0xF0) == 0xE0 ? 3
                    : (c & 0xF8) == 0xF0 ? 4
                                         : 0;
    bool ok = n > 0 && i + n <= bytes.size();
    for (std::size_t k = 1; ok && k < n; ++k)
      ok = (static_cast<unsigned char>(bytes[i + k]) & 0xC0) == 0x80;
    if (ok) {
      out.append(bytes, i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
      while (i < bytes.size() && (static_cast<unsigned char>(bytes[i]) & 0xC0) == 0x80 && n > 1) {
        ++i;
        break;
      }
    }
  }
  return out;
}

bool valid_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (parts < 4) {
    std::size_t start = i;
    int v = 0;
    while (i < s.size() && digit(s[i]) && i - start < 3) v = v * 10 + (s[i++] - '0');
    if (i == start || v > 255) return false;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

// RFC 2373 address, optionally with an embedded IPv4 tail and a %scope (inside brackets).
bool valid_ipv6(std::string_view s) {
  auto pct = s.find('%');
  if (pct != std::string_view::npos) {
    if (pct + 1 >= s.size()) return false;
    s = s.substr(0, pct);
  }
  if (s.empty()) return false;
  int groups = 0;
  bool compressed = false;
  std::size_t i = 0;
  if (s.starts_with("::")) {
    compressed = true;
    i = 2;
    if (i == s.size()) return true;
  } else if (s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    std::size_t start = i;
    while (i < s.size() && hex(s[i]) && i - start < 4) ++i;
    if (i < s.size() && s[i] == '.') {  // IPv4 tail
      if (!valid_ipv4(s.substr(start))) return false;
      groups += 2;
      i = s.size();
      break;
    }
    if (i == start) return false;
    ++groups;
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;
    }
  }
  return compressed ? groups < 8 : groups == 8;
}

// java.net.URI's hostname rule.
bool valid_hostname(std::string_view s) {
  if (s.empty()) return false;
  std::size_t p = 0, last_label = std::string_view::npos;
  while (p < s.size()) {
    std::size_t q = p;
    while (q < s.size() && alnum(s[q])) ++q;
    if (q == p) break;
    last_label = p;
    p = q;
    while (q < s.size() && (alnum(s[q]) || s[q] == '-')) ++q;
    if (q > p) {
      if (s[q - 1] == '-') return false;
      p = q;
    }
    if (p < s.size() && s[p] == '.')
      ++p;
    else
      break;
  }
  if (p != s.size() || last_label == std::string_view::npos) return false;
  return last_label == 0 || alpha(s[last_label]);
}

struct Authority {
  std::optional<std::string> host, user_info;
  std::int64_t port = -1;
};

// Server-based authority if it parses, else registry-based (host/port/userinfo all null).
// Returns false when the authority is illegal altogether (URISyntaxException).
bool parse_authority(std::string_view a, Authority& out) {
  std::string_view rest = a;
  std::optional<std::string_view> ui;
  auto at = rest.rfind('@');
  bool server_ok = true;
  if (at != std::string_view::npos) {
    ui = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (!check(*ui, userinfo_char)) server_ok = false;
  }
  std::string_view host, port;
  if (server_ok) {
    if (!rest.empty() && rest[0] == '[') {
      auto close = rest.find(']');
      if (close == std::string_view::npos) return false;
      if (!valid_ipv6(rest.substr(1, close - 1))) return false;  // Java throws, no fallback
      host = rest.substr(0, close + 1);
      rest = rest.substr(close + 1);
      if (!rest.empty() && rest[0] != ':') return false;
    } else {
      auto colon = rest.find(':');
      host = rest.substr(0, colon);
      rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon);
      if (!valid_ipv4(host) && !valid_hostname(host)) server_ok = !host.empty() ? false : server_ok;
      if (host.empty() && !rest.empty()) server_ok = false;
    }
    if (server_ok && !rest.empty()) {
      port = rest.substr(1);
      for (char c : port)
        if (!digit(c)) server_ok = false;
      if (server_ok && !port.empty()) {
        int v = 0;
        auto r = std::from_chars(port.data(), port.data() + port.size(), v);
        if (r.ec != std::errc()) server_ok = false;
      }
    }
  }
  if (server_ok) {
    if (ui) out.user_info = decode(*ui);
    if (!host.empty()) out.host = std::string(host);
    if (!port.empty()) std::from_chars(port.data(), port.data() + port.size(), out.port);
    return true;
  }
  // Registry-based: legal characters only, and nothing is reported.
  return check(a, regname_char);
}

void split_user_info(UriParts& p) {
  if (!p.user_info) return;
  auto colon = p.user_info->find(':');
  if (colon == std::string::npos) return;
  p.username = p.user_info->substr(0, colon);
  p.password = p.user_info->substr(colon + 1);
}

void set_extension(UriParts& p) {
  if (!p.path) return;
  auto slash = p.path->rfind('/');
  if (slash == std::string::npos) return;
  auto dot = p.path->rfind('.');
  if (dot != std::string::npos && dot > slash) p.extension = p.path->substr(dot + 1);
}

std::optional<UriParts> parse_java_uri(std::string_view s) {
  UriParts out;
  std::size_t i = 0;
  auto stop = s.find_first_of("/?#");
  auto colon = s.find(':');
  if (colon != std::string_view::npos && (stop == std::string_view::npos || colon < stop)) {
    if (colon == 0 || !alpha(s[0])) return std::nullopt;
    for (std::size_t k = 1; k < colon; ++k)
      if (!alnum(s[k]) && s[k] != '+' && s[k] != '-' && s[k] != '.') return std::nullopt;
    out.scheme = std::string(s.substr(0, colon));
    i = colon + 1;
    if (i >= s.size()) return std::nullopt;  // "http:" needs a scheme-specific part
    if (s[i] != '/') {                       // opaque: scheme and fragment only
      auto hash = s.find('#', i);
      if (!check(s.substr(i, hash - i), uric)) return std::nullopt;
      if (hash != std::string_view::npos) {
        if (!check(s.substr(hash + 1), uric)) return std::nullopt;
        out.fragment = decode(s.substr(hash + 1));
      }
      return out;
    }
  }
  std::string_view rest = s.substr(i);
  auto hash = rest.find('#');
  if (hash != std::string_view::npos) {
    std::string_view frag = rest.substr(hash + 1);
    if (!check(frag, uric)) return std::nullopt;
    out.fragment = decode(frag);
    rest = rest.substr(0, hash);
  }
  auto q = rest.find('?');
  if (q != std::string_view::npos) {
    std::string_view query = rest.substr(q + 1);
    if (!check(query, uric)) return std::nullopt;
    out.query = decode(query);
    rest = rest.substr(0, q);
  }
  if (rest.starts_with("//")) {
    auto slash = rest.find('/', 2);
    std::string_view auth =
        rest.substr(2, slash == std::string_view::npos ? rest.size() - 2 : slash - 2);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    // An empty authority is allowed only before a path, query or fragment ("Expected authority").
    if (auth.empty() && rest.empty() && !out.query && !out.fragment) return std::nullopt;
    Authority a;
    if (!auth.empty() && !parse_authority(auth, a)) return std::nullopt;
    out.domain = a.host;
    out.user_info = a.user_info;
    if (a.port >= 0) out.port = a.port;
  }
  if (!check(rest, pchar_path)) return std::nullopt;
  out.path = decode(rest);
  return out;
}

bool known_protocol(std::string_view p) {
  for (const char* k : {"http", "https", "ftp", "file", "jar", "mailto", "jrt"})
    if (p.size() == std::strlen(k) &&
        std::equal(p.begin(), p.end(), k, [](char a, char b) { return (a | 0x20) == b; }))
      return true;
  return false;
}

// java.net.URL with the JDK's built-in handlers: nothing is decoded.
std::optional<UriParts> parse_java_url(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || !alpha(s[0])) return std::nullopt;
  for (std::size_t k = 1; k < colon; ++k)
    if (!alnum(s[k]) && s[k] != '+' && s[k] != '-' && s[k] != '.') return std::nullopt;
  std::string_view proto = s.substr(0, colon);
  if (!known_protocol(proto)) return std::nullopt;
  UriParts out;
  std::string scheme(proto);
  for (auto& c : scheme) c = static_cast<char>(c | 0x20);  // URL lower-cases the protocol
  out.scheme = scheme;
  std::string_view rest = s.substr(colon + 1);
  auto hash = rest.find('#');
  if (hash != std::string_view::npos) {
    out.fragment = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  out.domain = std::string();
  if (rest.starts_with("//")) {
    auto end = rest.find_first_of("/?", 2);
    std::string_view auth =
        rest.substr(2, end == std::string_view::npos ? rest.size() - 2 : end - 2);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    auto at = auth.rfind('@');
    if (at != std::string_view::npos) {
      out.user_info = std::string(auth.substr(0, at));
      auth = auth.substr(at + 1);
    }
    std::string_view host = auth, port;
    if (!auth.empty() && auth[0] == '[') {
      auto close = auth.find(']');
      if (close == std::string_view::npos || !valid_ipv6(auth.substr(1, close - 1)))
        return std::nullopt;
      host = auth.substr(0, close + 1);
      port = auth.substr(close + 1);
      if (!port.empty() && port[0] != ':') return std::nullopt;
      if (!port.empty()) port.remove_prefix(1);
    } else {
      auto c = auth.find(':');
      if (c != std::string_view::npos) {
        host = auth.substr(0, c);
        port = auth.substr(c + 1);
      }
    }
    // Newer JDKs refuse hosts with characters no host can have.
    for (char c : host)
      if (static_cast<unsigned char>(c) <= ' ' || std::strchr("\"<>\\^`{|}", c))
        return std::nullopt;
    out.domain = std::string(host);
    if (!port.empty()) {
      std::int64_t v = 0;
      auto r = std::from_chars(port.data(), port.data() + port.size(), v);
      if (r.ec != std::errc() || r.ptr != port.data() + port.size() || v > 65535)
        return std::nullopt;
      out.port = v;
    }
  }
  auto q = rest.find('?');
  if (q != std::string_view::npos) {
    out.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  out.path = std::string(rest);
  return out;
}

}  // namespace

std::optional<UriParts> parse_uri_parts(std::string_view text) {
  auto parts = parse_java_uri(text);
  if (!parts) parts = parse_java_url(text);
  if (!parts) return std::nullopt;
  split_user_info(*parts);
  set_extension(*parts);
  return parts;
}

}  // namespace misp::mapping::es
