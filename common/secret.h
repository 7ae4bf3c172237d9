// A string that never prints: api_token, proxy password, an output's API key. Shared by the
// plugin's config and misp-agent's outputs; header-only.
#pragma once

#include <ostream>
#include <string>
#include <utility>

namespace misp {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string v) : v_(std::move(v)) {}
  const std::string& reveal() const { return v_; }
  bool empty() const { return v_.empty(); }
  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "<redacted>"; }

 private:
  std::string v_;
};

}  // namespace misp
