#include "tests/support/golden.h"

#include <algorithm>
#include <filesystem>

#include "mapping/es/date.h"
#include "tests/support/vectors.h"

namespace misp::test {

std::vector<std::string> golden_cases(const std::string& dataset_dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(shared_path("vectors/" + dataset_dir))) {
    auto name = e.path().filename().string();
    if (name.ends_with(".ndjson")) out.push_back(name.substr(0, name.size() - 7));
  }
  std::sort(out.begin(), out.end());
  return out;
}

mapping::Options options_from_config(const nlohmann::json& config, mapping::Dataset dataset) {
  mapping::Options o;
  o.dataset = dataset;
  if (config.contains("tags") && config["tags"].is_array())
    for (const auto& t : config["tags"]) o.tags.push_back(t.get<std::string>());
  if (config.contains("data_stream") && config["data_stream"].contains("namespace"))
    o.data_stream_namespace = config["data_stream"]["namespace"].get<std::string>();
  if (config.contains("now"))
    o.now_ms = mapping::es::parse_iso8601(config["now"].get<std::string>()).value();
  if (config.contains("ioc_expiration_duration"))
    o.ioc_expiration_duration = config["ioc_expiration_duration"].get<std::string>();
  return o;
}

void drop_host_fields(nlohmann::json& doc) {
  for (const char* k : {"agent", "elastic_agent", "host"}) doc.erase(k);
  if (doc.contains("event")) {
    for (const char* k : {"created", "ingested", "agent_id_status"}) doc["event"].erase(k);
  }
}

}  // namespace misp::test
