// What one pipeline run needs and yields, shared by the two data streams' pipelines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mapping/indicator.h"
#include "mapping/json/parse.h"
#include "mapping/options.h"
#include "mapping/pipeline.h"

namespace misp::mapping {

struct PipelineRun {
  const Options& options;
  json::Parser& parser;
  const IndicatorClassifier& indicator;
  std::string id;        // _id written by the fingerprint processor
  bool dropped = false;  // the `drop` processor ran
  // The split document as a tree (Mapper::map_split): `message` then holds kPendingOriginal, the
  // json processor takes the tree as parsed, and the text is written only if event.original stays.
  const json::Value* message_tree = nullptr;
  // The message text and, when the caller parsed it already (Mapper::map_parsed), its tree: the
  // json processor takes that tree instead of parsing the same text again.
  std::string_view message_text;
  json::Value* parsed_message = nullptr;
};

// Stands for event.original until the end of a map_split() run; recognised by its address. An
// inline array, not a string literal: a literal may sit at a different address in each
// translation unit (clang does that; a fuzz target caught it), the array is one object.
inline constexpr char kPendingOriginalText[] = "(event.original is written last)";
inline constexpr std::string_view kPendingOriginal{kPendingOriginalText,
                                                   sizeof kPendingOriginalText - 1};
inline bool is_pending_original(std::string_view s) {
  return s.data() == kPendingOriginalText;
}

// The `json` processor: parses the text at `from` into `to`. Throws ProcessorFailure.
void json_processor(Ctx& ctx, PipelineRun& run, std::string_view from, std::string_view to);

// Steps both pipelines open with: ecs.version, event.kind/category/type, message ->
// event.original, and the `json` processor into `json_target`.
void common_head(Ctx& ctx, PipelineRun& run, std::string_view json_target);

// The `fingerprint` processor writing _id (SHA-1, ignore_missing) over the given fields.
void fingerprint_id(Ctx& ctx, PipelineRun& run, std::initializer_list<std::string_view> fields);

// The tags script of both pipelines: names of misp.tag with '\\' and '"' removed, and the
// upper-cased suffixes of `tlp:` names.
struct MispTags {
  std::vector<std::string_view> names;
  json::Value tlp;  // array
};
MispTags read_misp_tags(Ctx& ctx);

// The two pipelines. Each throws ProcessorFailure where Elasticsearch's would fail.
void run_threat_pipeline(Ctx& ctx, PipelineRun& run);
void run_threat_attributes_pipeline(Ctx& ctx, PipelineRun& run);

// Pipeline names as Fleet installs them; they appear in processor error messages.
inline constexpr std::string_view kThreatPipeline = "logs-ti_misp.threat-1.48.2";
inline constexpr std::string_view kThreatAttributesPipeline =
    "logs-ti_misp.threat_attributes-1.48.2";

}  // namespace misp::mapping
