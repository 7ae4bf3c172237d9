#include "plugin/server_text.h"

namespace misp::plugin {

std::string server_text(std::string_view text, std::size_t max_bytes,
                        std::span<const std::string> secrets) {
  std::string s(text);
  for (const auto& secret : secrets) {
    if (secret.size() < 4) continue;  // too short to be a key; redacting it would mangle text
    for (auto at = s.find(secret); at != std::string::npos; at = s.find(secret, at))
      s.replace(at, secret.size(), "<redacted>");
  }
  std::string out;
  out.reserve(std::min(s.size(), max_bytes) + 8);
  static constexpr char kHex[] = "0123456789abcdef";
  for (char ch : s) {
    if (out.size() >= max_bytes) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace misp::plugin
