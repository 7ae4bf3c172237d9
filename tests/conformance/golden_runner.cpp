#include "tests/conformance/golden_runner.h"

#include <gtest/gtest.h>

#include "mapping/mapper.h"
#include "tests/support/golden.h"
#include "tests/support/json_diff.h"
#include "tests/support/vectors.h"

namespace misp::test {

void run_golden_case(const std::string& dataset_dir, const std::string& name,
                     mapping::Dataset dataset) {
  auto base = shared_path("vectors/" + dataset_dir + "/" + name);
  auto inputs = read_lines(base + ".ndjson");
  auto spec = nlohmann::json::parse(read_file(base + ".expected.json"));
  const auto& expected = spec.at("expected");
  ASSERT_EQ(inputs.size(), expected.size())
      << "vector " << name << ": inputs vs expected documents";
  mapping::Mapper mapper(options_from_config(spec.at("config"), dataset));
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    auto out = mapper.map(inputs[i]);
    ASSERT_EQ(out.kind, mapping::Output::Kind::kDocument) << name << " line " << i + 1;
    auto actual = nlohmann::json::parse(out.document);
    drop_host_fields(actual);
    auto want = expected[i];
    drop_host_fields(want);
    EXPECT_EQ(json_diff(want, actual), "")
        << name << " line " << i + 1 << "\nactual: " << actual.dump();
    EXPECT_FALSE(out.id.empty()) << name << " line " << i + 1 << ": no _id";
  }
}

}  // namespace misp::test
