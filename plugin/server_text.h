// Text a server controls (error bodies, header values) on its way into our messages and logs: cut
// to a length, control characters escaped so it cannot forge log lines or drive a terminal, and
// every known secret replaced, since a server may echo the key it was sent.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace misp::plugin {

std::string server_text(std::string_view text, std::size_t max_bytes,
                        std::span<const std::string> secrets = {});

}  // namespace misp::plugin
