// Steps the two MISP pipelines share.
#include <cctype>

#include "mapping/es/fingerprint.h"
#include "mapping/json/go_roundtrip.h"
#include "mapping/pipeline_run.h"

namespace misp::mapping {

using json::Value;

void json_processor(Ctx& ctx, PipelineRun& run, std::string_view from, std::string_view to) {
  Value* src = ctx.get(from);
  if (!src || !src->is_string())
    throw ProcessorFailure("field [" + std::string(from) + "] not present as part of path [" +
                           std::string(from) + "]");
  if (run.message_tree && is_pending_original(src->str())) {
    ctx.set(to, json::go_roundtrip(ctx.doc(), *run.message_tree));  // parsed once, by the poller
    return;
  }
  if (run.parsed_message && src->str().data() == run.message_text.data() &&
      src->str().size() == run.message_text.size()) {
    ctx.set(to, *run.parsed_message);  // the very text the reader parsed: taken over, once
    run.parsed_message = nullptr;
    return;
  }
  Value parsed;
  std::string error;
  if (!run.parser.parse(src->str(), ctx.doc(), parsed, error))
    throw ProcessorFailure("cannot parse [" + std::string(from) + "] as JSON: " + error);
  ctx.set(to, parsed);
}

void common_head(Ctx& ctx, PipelineRun& run, std::string_view json_target) {
  json::Doc& doc = ctx.doc();
  ctx.set("ecs.version", "8.11.0");
  ctx.set("event.kind", "enrichment");
  Value category = doc.new_array(1), type = doc.new_array(1);
  category.a->push_back(Value::string_view("threat"));
  type.a->push_back(Value::string_view("indicator"));
  ctx.set("event.category", category);
  ctx.set("event.type", type);
  if (!ctx.non_null("event.original"))
    ctx.rename("message", "event.original");
  else
    ctx.remove("message");
  json_processor(ctx, run, "event.original", json_target);
}

void fingerprint_id(Ctx& ctx, PipelineRun& run, std::initializer_list<std::string_view> fields) {
  try {
    if (auto id = es::fingerprint(ctx.root(), fields)) run.id = *id;
  } catch (const std::invalid_argument& e) {
    throw ProcessorFailure(e.what());
  }
}

MispTags read_misp_tags(Ctx& ctx) {
  json::Doc& doc = ctx.doc();
  MispTags out{{}, doc.new_array()};
  Value* tags = ctx.get("misp.tag");
  if (!tags || !tags->is_array()) return out;
  for (const auto& t : *tags->a) {
    const Value* name = json::find_member(t, "name");
    if (!name || !name->is_string()) continue;
    std::string cleaned;
    for (char c : name->str())
      if (c != '\\' && c != '"') cleaned += c;
    std::string_view n = doc.copy(cleaned);
    out.names.push_back(n);
    if (n.starts_with("tlp:")) {
      std::string upper(n.substr(4));
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.tlp.a->push_back(doc.new_string(upper));
    }
  }
  return out;
}

}  // namespace misp::mapping
