// Golden vectors of ../shared/vectors/<dataset>/: <case>.ndjson (one split document per line) and
// <case>.expected.json ({"config": {...}, "expected": [...]}).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mapping/options.h"

namespace misp::test {

std::vector<std::string> golden_cases(const std::string& dataset_dir);

// Options equivalent to a vector's `config`: tags as given, the envelope only when a
// data_stream is configured, `now` and `ioc_expiration_duration` when present.
mapping::Options options_from_config(const nlohmann::json& config, mapping::Dataset dataset);

// Fields a real agent adds that no vector can predict (agent identity, times of ingest).
void drop_host_fields(nlohmann::json& doc);

}  // namespace misp::test
