// Typed values parsed at load: Go-style durations and URLs (credentials kept apart, printed
// redacted).
#include <cctype>
#include <charconv>

#include "plugin/config.h"

namespace misp::plugin {

std::string Url::redacted() const {
  std::string out = scheme + "://" + host;
  if (port) out += ":" + std::to_string(port);
  return out + path;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t total_ms = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    double v = 0;
    if (std::from_chars(s.data() + start, s.data() + i, v).ptr != s.data() + i) return std::nullopt;
    std::size_t u = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string_view unit = s.substr(u, i - u);
    double per = unit == "h"    ? 3.6e6
                 : unit == "m"  ? 6e4
                 : unit == "s"  ? 1e3
                 : unit == "ms" ? 1
                                : -1;
    if (per < 0) return std::nullopt;
    total_ms += static_cast<std::int64_t>(v * per);
  }
  return std::chrono::milliseconds(total_ms);
}

Result<Url> parse_url(std::string_view text, std::string_view key) {
  Url u;
  std::string k(key);
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    return Error{Errc::kConfigValue, k, "must be an absolute http:// or https:// URL"};
  u.scheme = std::string(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https")
    return Error{Errc::kConfigValue, k, "must use http or https, got " + u.scheme};
  std::string_view rest = text.substr(sep + 3);
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos)
    return Error{Errc::kConfigValue, k, "must not carry a query or fragment"};
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  u.path = std::string(path);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view creds = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = creds.find(':');
    u.user = std::string(creds.substr(0, colon));
    if (colon != std::string_view::npos) u.password = Secret(std::string(creds.substr(colon + 1)));
  }
  std::string_view host = authority, port;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return Error{Errc::kConfigValue, k, "has an unterminated IPv6 host"};
    host = authority.substr(1, close - 1);
    port = authority.substr(close + 1);
    if (!port.empty()) port.remove_prefix(1);
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return Error{Errc::kConfigValue, k, "has no host"};
  u.host = std::string(host);
  u.port = u.scheme == "https" ? 443 : 80;
  if (!port.empty()) {
    int p = 0;
    if (std::from_chars(port.data(), port.data() + port.size(), p).ptr !=
            port.data() + port.size() ||
        p < 1 || p > 65535)
      return Error{Errc::kConfigValue, k, "has an invalid port '" + std::string(port) + "'"};
    u.port = p;
  }
  return u;
}

}  // namespace misp::plugin
