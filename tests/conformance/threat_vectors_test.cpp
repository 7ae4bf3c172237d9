// Every document of ../shared/vectors/threat/ maps to exactly Elastic's expected document.
#include <gtest/gtest.h>

#include "tests/conformance/golden_runner.h"
#include "tests/support/golden.h"

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

}  // namespace
}  // namespace misp::test
