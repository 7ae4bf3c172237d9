// All 14 documents of ../shared/vectors/threat_attributes/sample map to Elastic's expectation
// under the vector's config (ioc_expiration_duration, tags, fixed clock).
#include <gtest/gtest.h>

#include "tests/conformance/golden_runner.h"
#include "tests/support/golden.h"
#include "tests/support/vectors.h"

namespace misp::test {
namespace {

TEST(ThreatAttributesVectors, SampleMatchesElasticPipelineOutput) {
  auto cases = golden_cases("threat_attributes");
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    SCOPED_TRACE(c);
    run_golden_case("threat_attributes", c, mapping::Dataset::kThreatAttributes);
  }
}

TEST(ThreatAttributesVectors, SampleHasFourteenDocuments) {
  EXPECT_EQ(read_lines(shared_path("vectors/threat_attributes/sample.ndjson")).size(), 14u);
}

}  // namespace
}  // namespace misp::test
