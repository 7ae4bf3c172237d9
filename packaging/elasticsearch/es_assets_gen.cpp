// Writes the Elasticsearch assets of Elastic's ti_misp integration from the mappings that
// fields/gen/fields_gen generated from fields/ (so nothing drifts), one request body per file:
//   component_template/logs-ti_misp.<stream>@package.json   PUT _component_template/<name>
//   index_template/logs-ti_misp.<stream>.json               PUT _index_template/<name>
//   index_template/logs-ti_misp_latest.dest_threat_attributes.json   (the transform's destination)
//   ingest_pipeline/logs-ti_misp@final.json                 PUT _ingest/pipeline/<name>
//   ilm/logs-ti_misp.threat_attributes-default_policy.json  PUT _ilm/policy/<name>
//   data_stream_lifecycle/logs-ti_misp.threat_attributes.json  PUT _data_stream/<name>-*/_lifecycle
//   transform/logs-ti_misp.latest_ioc-default-0.2.0.json    PUT _transform/<name>
// Names and settings are Elastic's (../shared/reference/ti_misp-pipelines.md section 6).
// Usage: es_assets_gen OUT_DIR THREAT_MAPPINGS_JSON THREAT_ATTRIBUTES_MAPPINGS_JSON
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

constexpr const char* kFinalPipeline = "logs-ti_misp@final";
constexpr const char* kIlmPolicy = "logs-ti_misp.threat_attributes-default_policy";
constexpr const char* kTransformVersion = "0.2.0";
constexpr const char* kTransformSource = "logs-ti_misp.threat_attributes-*";
constexpr const char* kTransformDest = "logs-ti_misp_latest.dest_threat_attributes-2";
constexpr const char* kTransformAlias = "logs-ti_misp_latest.threat_attributes";

Json meta() {
  return {{"package", {{"name", "ti_misp"}}}, {"managed_by", "misp-input"}, {"managed", false}};
}

Json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  return Json::parse(in);
}

// Writes only when the content changed, so dependents do not rebuild needlessly.
void write(const fs::path& path, const Json& body) {
  fs::create_directories(path.parent_path());
  std::string content = body.dump(2) + "\n";
  std::ifstream in(path, std::ios::binary);
  std::stringstream existing;
  if (in) existing << in.rdbuf();
  if (in && existing.str() == content) return;
  std::ofstream(path, std::ios::binary) << content;
}

Json component_template(const std::string& stream, const Json& mappings) {
  Json settings = {{"index", {{"final_pipeline", kFinalPipeline}}}};
  if (stream == "threat_attributes") settings["index"]["lifecycle"] = {{"name", kIlmPolicy}};
  return {{"template", {{"settings", settings}, {"mappings", mappings}}}, {"_meta", meta()}};
}

Json index_template(const std::string& stream) {
  std::string name = "logs-ti_misp." + stream;
  return {{"index_patterns", Json::array({name + "-*"})},
          {"data_stream", Json::object()},
          {"priority", 200},
          {"composed_of", Json::array({name + "@package", name + "@custom"})},
          {"ignore_missing_component_templates", Json::array({name + "@custom"})},
          {"_meta", meta()}};
}

// The transform's destination: the threat_attributes fields with data_stream.namespace a keyword
// (one index holds every namespace) and labels.is_ioc_transform_source "false".
Json destination_template(Json mappings) {
  auto& props = mappings["properties"];
  props["data_stream"]["properties"]["namespace"] = {{"type", "keyword"}};
  props["labels"]["properties"]["is_ioc_transform_source"] = {{"type", "constant_keyword"},
                                                              {"value", "false"}};
  return {{"index_patterns", Json::array({"logs-ti_misp_latest.dest_threat_attributes-*"})},
          {"priority", 200},
          {"template", {{"mappings", mappings}}},
          {"_meta", meta()}};
}

// What Fleet's final pipeline does for these documents: event.ingested (whole seconds), and
// event.original removed unless the preserve_original_event tag asks to keep it. Untrusted
// event.agent_id_status values are removed; no Elastic Agent signs these documents.
Json final_pipeline() {
  Json processors = Json::array();
  processors.push_back({{"set",
                         {{"description", "Add time when event was ingested."},
                          {"tag", "set-event-ingested"},
                          {"field", "event.ingested"},
                          {"copy_from", "_ingest.timestamp"},
                          {"ignore_failure", true}}}});
  processors.push_back(
      {{"script",
        {{"description", "Remove sub-seconds from event.ingested to improve storage efficiency."},
         {"tag", "truncate-subseconds-event-ingested"},
         {"lang", "painless"},
         {"source",
          "ctx.event.ingested = ZonedDateTime.parse(ctx.event.ingested).withNano(0)"
          ".format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);"},
         {"ignore_failure", true}}}});
  processors.push_back({{"remove",
                         {{"description", "Remove any pre-existing untrusted values."},
                          {"field", Json::array({"event.agent_id_status", "_security"})},
                          {"ignore_missing", true}}}});
  processors.push_back(
      {{"remove",
        {{"description", "Remove event.original unless the preserve_original_event tag is set."},
         {"field", "event.original"},
         {"if", "ctx?.tags == null || !(ctx.tags.contains('preserve_original_event'))"},
         {"ignore_missing", true},
         {"ignore_failure", true}}}});
  return {{"description",
           "Final pipeline for ti_misp documents from misp-input (Fleet's final "
           "pipeline: event.ingested, event.original)."},
          {"processors", processors},
          {"_meta", meta()}};
}

// Source retention: rollover after 2 days, delete 3 days after rollover (about 5 days after
// ingestion), as Elastic's package >= 1.48.2 installs it.
Json ilm_policy() {
  return {{"policy",
           {{"phases",
             {{"hot", {{"min_age", "0ms"}, {"actions", {{"rollover", {{"max_age", "2d"}}}}}}},
              {"delete", {{"min_age", "3d"}, {"actions", {{"delete", Json::object()}}}}}}},
            {"_meta", meta()}}}};
}

// The data-stream-lifecycle equivalent (Serverless): delete 5 days after ingestion.
Json data_stream_lifecycle() {
  return {{"data_retention", "5d"}};
}

Json transform() {
  return {
      {"description", "Latest IOC from MISP threat_attributes: only active, undecayed indicators."},
      {"source", {{"index", Json::array({kTransformSource})}}},
      {"dest",
       {{"index", kTransformDest},
        {"aliases", Json::array({{{"alias", kTransformAlias}, {"move_on_creation", true}}})}}},
      {"frequency", "30s"},
      {"sync", {{"time", {{"field", "event.ingested"}, {"delay", "120s"}}}}},
      {"retention_policy", {{"time", {{"field", "misp.attribute.decayed_at"}, {"max_age", "1m"}}}}},
      {"latest",
       {{"unique_key",
         Json::array({"event.dataset", "misp.attribute.uuid", "misp.attribute.Event.uuid"})},
        {"sort", "@timestamp"}}},
      {"_meta",
       {{"fleet_transform_version", kTransformVersion},
        {"package", {{"name", "ti_misp"}}},
        {"managed_by", "misp-input"},
        {"managed", false}}}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: es_assets_gen OUT_DIR THREAT_MAPPINGS_JSON "
                 "THREAT_ATTRIBUTES_MAPPINGS_JSON\n";
    return 2;
  }
  try {
    fs::path out = argv[1];
    Json threat = read_json(argv[2]), attributes = read_json(argv[3]);
    for (const auto& [stream, mappings] :
         {std::pair{std::string("threat"), threat},
          std::pair{std::string("threat_attributes"), attributes}}) {
      std::string name = "logs-ti_misp." + stream;
      write(out / "component_template" / (name + "@package.json"),
            component_template(stream, mappings));
      write(out / "index_template" / (name + ".json"), index_template(stream));
    }
    write(out / "index_template" / "logs-ti_misp_latest.dest_threat_attributes.json",
          destination_template(attributes));
    write(out / "ingest_pipeline" / (std::string(kFinalPipeline) + ".json"), final_pipeline());
    write(out / "ilm" / (std::string(kIlmPolicy) + ".json"), ilm_policy());
    write(out / "data_stream_lifecycle" / "logs-ti_misp.threat_attributes.json",
          data_stream_lifecycle());
    write(out / "transform" /
              ("logs-ti_misp.latest_ioc-default-" + std::string(kTransformVersion) + ".json"),
          transform());
  } catch (const std::exception& e) {
    std::cerr << "es_assets_gen: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
