// The Elasticsearch `uri_parts` processor: java.net.URI first, java.net.URL as the lenient
// fallback, exactly the parts (and the percent-decoding) those classes report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace misp::mapping::es {

struct UriParts {
  std::optional<std::string> scheme, domain, path, extension, query, fragment, user_info, username,
      password;
  std::optional<std::int64_t> port;
};

// nullopt means "unable to parse URI [text]".
std::optional<UriParts> parse_uri_parts(std::string_view text);

}  // namespace misp::mapping::es
