// HTTP dates (RFC 9110 section 5.6.7): how MISP tells its own clock, in every response's Date.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace misp::plugin {

// "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate, what every current server sends) and the two
// obsolete forms a recipient must accept: "Sunday, 06-Nov-94 08:49:37 GMT" and
// "Sun Nov  6 08:49:37 1994". Unix seconds, or nullopt for anything else.
std::optional<std::int64_t> parse_http_date(std::string_view text);

}  // namespace misp::plugin
