// The Elasticsearch `grok` processor for the patterns the MISP pipelines use (WORD, DATA,
// GREEDYDATA, IP, IPV4, IPV6, NUMBER), with the legacy pattern bank's exact regular expressions.
// Matching is an unanchored leftmost search, as Joni does it; PCRE2 has the same backtracking
// semantics for these constructs (look-behind, atomic groups, lazy quantifiers, `.` not matching
// a newline).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace misp::mapping::es {

struct GrokCapture {
  std::string field;
  std::string value;
};

class Grok {
 public:
  // pattern uses grok syntax: "%{DATA:url.domain}\\|%{IP:threat.indicator.ip}". Throws
  // std::invalid_argument for an unknown pattern name.
  explicit Grok(std::string_view pattern);
  ~Grok();
  Grok(Grok&&) noexcept;
  Grok& operator=(Grok&&) noexcept;

  // nullopt: "Provided Grok expressions do not match field value: [subject]". Captures that did
  // not participate are left out; empty captures are kept as "".
  std::optional<std::vector<GrokCapture>> match(std::string_view subject) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace misp::mapping::es
