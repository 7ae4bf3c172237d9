// The Elasticsearch `convert` processor, type long.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace misp::mapping::es {

// Long.parseLong, or Long.decode for "0x"/"-0x" prefixes; nullopt means
// "unable to convert [text] to long".
std::optional<std::int64_t> to_long(std::string_view text);

}  // namespace misp::mapping::es
