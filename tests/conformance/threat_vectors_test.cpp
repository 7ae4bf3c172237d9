// Every document of ../shared/vectors/threat/ maps to exactly Elastic's expected document.
#include <gtest/gtest.h>

#include "mapping/mapper.h"
#include "tests/conformance/golden_runner.h"
#include "tests/support/golden.h"
#include "tests/support/json_diff.h"
#include "tests/support/vectors.h"

namespace misp::test {
namespace {

class ThreatVectors : public ::testing::TestWithParam<std::string> {};

TEST_P(ThreatVectors, MatchesElasticPipelineOutput) {
  run_golden_case("threat", GetParam(), mapping::Dataset::kThreat);
}

INSTANTIATE_TEST_SUITE_P(Vectors, ThreatVectors, ::testing::ValuesIn(golden_cases("threat")),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// The seed's example event is reproduced field for field, host fields aside.
TEST(ThreatVectors, SeedExampleIsPresent) {
  auto cases = golden_cases("threat");
  EXPECT_NE(std::find(cases.begin(), cases.end(), "seed-example"), cases.end());
  EXPECT_NE(std::find(cases.begin(), cases.end(), "long"), cases.end());
}

// The example event printed in the seed (ti_misp.md) itself, host fields aside.
TEST(ThreatVectors, SeedDocumentationExampleEvent) {
  std::string seed = read_file(shared_path("seed/ti_misp.md"));
  auto start = seed.find("```json\n"), end = seed.find("\n```", start + 8);
  ASSERT_NE(start, std::string::npos);
  auto want = nlohmann::json::parse(seed.substr(start + 8, end - start - 8));
  auto spec =
      nlohmann::json::parse(read_file(shared_path("vectors/threat/seed-example.expected.json")));
  mapping::Mapper mapper(options_from_config(spec["config"], mapping::Dataset::kThreat));
  auto got = nlohmann::json::parse(
      mapper.map(read_lines(shared_path("vectors/threat/seed-example.ndjson"))[0]).document);
  drop_host_fields(want);
  drop_host_fields(got);
  EXPECT_EQ(json_diff(want, got), "");
}

}  // namespace
}  // namespace misp::test
