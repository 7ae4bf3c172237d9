// An http(s) URL parsed once, credentials kept apart and printed redacted. Shared by the plugin
// (url, proxy_url) and misp-agent (an Elasticsearch output's hosts); header-only.
#pragma once

#include <charconv>
#include <string>
#include <string_view>

#include "common/expected.h"
#include "common/secret.h"

namespace misp {

struct Url {
  std::string scheme, host, path;  // path without a trailing slash
  int port = 0;
  std::string user;
  Secret password;
  // scheme://host:port/path, credentials left out.
  std::string redacted() const {
    std::string out = scheme + "://" + host;
    if (port) out += ":" + std::to_string(port);
    return out + path;
  }
};

namespace url_detail {

// user[:password]@ taken off the authority.
inline void take_credentials(std::string_view& authority, Url& u) {
  auto at = authority.rfind('@');
  if (at == std::string_view::npos) return;
  std::string_view creds = authority.substr(0, at);
  authority = authority.substr(at + 1);
  auto colon = creds.find(':');
  u.user = std::string(creds.substr(0, colon));
  if (colon != std::string_view::npos) u.password = Secret(std::string(creds.substr(colon + 1)));
}

// host[:port] or [v6]:port; the port defaults to the scheme's. A message when malformed.
inline std::string take_host_port(std::string_view authority, Url& u) {
  std::string_view host = authority, port;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return "has an unterminated IPv6 host";
    host = authority.substr(1, close - 1);
    port = authority.substr(close + 1);
    if (!port.empty()) port.remove_prefix(1);
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return "has no host";
  u.host = std::string(host);
  u.port = u.scheme == "https" ? 443 : 80;
  if (port.empty()) return "";
  int p = 0;
  if (std::from_chars(port.data(), port.data() + port.size(), p).ptr != port.data() + port.size() ||
      p < 1 || p > 65535)
    return "has an invalid port '" + std::string(port) + "'";
  u.port = p;
  return "";
}

}  // namespace url_detail

// An absolute http:// or https:// URL without query or fragment. The error is a sentence without
// the key ("must use http or https, got ftp"); the caller prefixes the key it read.
inline Expected<Url, std::string> parse_http_url(std::string_view text) {
  Url u;
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    return std::string("must be an absolute http:// or https:// URL");
  u.scheme = std::string(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return "must use http or https, got " + u.scheme;
  std::string_view rest = text.substr(sep + 3);
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos)
    return std::string("must not carry a query or fragment");
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  u.path = std::string(path);
  url_detail::take_credentials(authority, u);
  if (std::string e = url_detail::take_host_port(authority, u); !e.empty()) return e;
  return u;
}

}  // namespace misp
