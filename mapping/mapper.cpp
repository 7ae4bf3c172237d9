#include "mapping/mapper.h"

#include "mapping/es/date.h"
#include "mapping/json/write.h"
#include "mapping/pipeline_run.h"

namespace misp::mapping {

using json::Value;

Mapper::Mapper(Options options)
    : options_(std::move(options)), created_(es::format_millis(options_.now_ms)) {}

Output Mapper::map(std::string_view message) {
  return run(message, nullptr);
}

Output Mapper::map_split(const json::Value& message) {
  return run(kPendingOriginal, &message);
}

Output Mapper::map_parsed(std::string_view message, json::Value& parsed) {
  return run(message, nullptr, &parsed);
}

Output Mapper::run(std::string_view message, const json::Value* tree, json::Value* parsed) {
  doc_.reset();
  Value root = doc_.new_object(24);
  const bool attributes = options_.dataset == Dataset::kThreatAttributes;
  std::string_view pipeline = attributes ? kThreatAttributesPipeline : kThreatPipeline;
  Ctx ctx(doc_, root, pipeline);
  Output out;

  // What Filebeat puts on the event before the pipeline sees it.
  if (options_.data_stream_namespace) {
    ctx.set("@timestamp", created_);
    ctx.set("data_stream.type", "logs");
    ctx.set("data_stream.dataset", dataset_name(options_.dataset));
    ctx.set("data_stream.namespace", *options_.data_stream_namespace);
    ctx.set("event.dataset", dataset_name(options_.dataset));
    ctx.set("event.created", created_);
    ctx.set("input.type", "httpjson");
    if (attributes) ctx.set("labels.is_ioc_transform_source", "true");
  }
  if (!options_.tags.empty()) {
    Value tags = doc_.new_array(options_.tags.size() + 4);
    for (const auto& t : options_.tags) tags.a->push_back(Value::string_view(t));
    ctx.set("tags", tags);
  }
  ctx.set("message", message);

  PipelineRun run{options_, parser_, indicator_, {}, false, tree, message, parsed};
  try {
    try {
      if (attributes)
        run_threat_attributes_pipeline(ctx, run);
      else
        run_threat_pipeline(ctx, run);
    } catch (const ProcessorFailure& failure) {
      out.error = failure.what();
      ctx.run_on_failure(failure.what());
    }
  } catch (const std::exception& e) {
    // Defensive: on_failure itself failed (a document shaped so that event.kind cannot be set).
    // Deliver the original rather than lose it.
    out.error = e.what();
    root = doc_.new_object(4);
    ctx.forget_parents();
    ctx.set("event.original", message);
    ctx.set("event.kind", "pipeline_error");
    ctx.append("error.message", doc_.copy(e.what()));
    ctx.append("tags", "preserve_original_event");
  }
  if (run.dropped) {
    out.kind = Output::Kind::kDropped;
    return out;
  }
  fleet_final_pipeline(root);
  if (tree) {  // event.original stayed: now its text is needed
    if (Value* original = ctx.get("event.original");
        original && original->is_string() && is_pending_original(original->str())) {
      std::string text;
      json::write_go(*tree, text);
      *original = doc_.new_string(text);
    }
  }

  out.id = std::move(run.id);
  if (const Value* ts = ctx.get("@timestamp"); ts && ts->is_string())
    out.timestamp_ms = es::parse_iso8601(ts->str()).value_or(options_.now_ms);
  else
    out.timestamp_ms = options_.now_ms;
  out.document.reserve(message.size() * 2 + 512);
  json::write(root, out.document);
  return out;
}

Output map_document(std::string_view message, const Options& options) {
  Mapper m(options);
  return m.map(message);
}

}  // namespace misp::mapping
