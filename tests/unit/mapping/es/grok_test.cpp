// Grok with the legacy bank's patterns gives Joni's results (section 5 vectors) for the patterns
// the MISP pipelines use.
#include "mapping/es/grok.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "tests/support/vectors.h"

namespace misp::mapping::es {
namespace {

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
      out += '\n';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Vectors outside what we reproduce, each for a stated reason (docs/divergences.md):
const std::set<std::string> kNotReproduced = {
    // Joni's \b treats non-ASCII letters as word characters; PCRE2 without UCP does not.
    "[%{WORD:w}] on \"café-au-lait\"",
    "[%{WORD:w}] on \"ßtraße\"",
    "[%{WORD:w}] on \"日本語 text\"",
    // (?m) is dot-all in Ruby syntax, multi-line in PCRE; the pipelines never use it.
    "[(?m)%{GREEDYDATA:a}] on \"line1\\nline2\"",
};

TEST(Grok, JoniVectors) {
  auto lines = misp::test::read_lines(misp::test::shared_path("reference/es-processors.md"));
  std::regex head(R"re(^\[(.*)\] on "(.*)"$)re");
  std::regex capture(R"re((\w+)="((?:[^"\\]|\\.)*)")re");
  int checked = 0, skipped = 0;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    std::smatch m;
    if (!std::regex_match(lines[i], m, head)) continue;
    std::string pattern = m[1], subject = unescape(m[2]);
    // Multi-pattern lists, duplicate names and patterns outside our bank are not used by MISP.
    if (pattern.find("}, %{") != std::string::npos ||
        pattern.find("URIPATHPARAM") != std::string::npos || pattern == "%{WORD:a} %{WORD:a}" ||
        pattern.find(":int}") != std::string::npos ||
        pattern.find(":float}") != std::string::npos ||
        pattern.find(":double}") != std::string::npos)
      continue;
    if (kNotReproduced.count(lines[i])) {
      ++skipped;
      continue;
    }
    SCOPED_TRACE(lines[i]);
    Grok grok(pattern);
    auto result = grok.match(subject);
    const std::string& outcome = lines[i + 1];
    if (outcome.find("NO MATCH") != std::string::npos) {
      EXPECT_FALSE(result.has_value());
    } else {
      ASSERT_TRUE(result.has_value());
      std::map<std::string, std::string> want, got;
      for (auto it = std::sregex_iterator(outcome.begin(), outcome.end(), capture);
           it != std::sregex_iterator(); ++it)
        want[(*it)[1]] = unescape((*it)[2]);
      for (const auto& c : *result) got[c.field] = c.value;
      EXPECT_EQ(got, want);
    }
    ++checked;
  }
  EXPECT_GE(checked, 25);
  EXPECT_EQ(skipped, static_cast<int>(kNotReproduced.size()));
}

// filename|sha3-256: WORD stops at '-', so the hash lands under "sha3" (Elastic's behaviour).
TEST(Grok, FilenameHashTypeStopsAtDash) {
  Grok g(R"(%{WORD}\|%{WORD:_tmp.hashtype})");
  auto r = g.match("filename|sha3-256");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].value, "sha3");
}

TEST(Grok, UnknownPatternIsRefused) {
  EXPECT_THROW(Grok("%{NOPE:x}"), std::invalid_argument);
}

}  // namespace
}  // namespace misp::mapping::es
