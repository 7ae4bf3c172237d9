// The `ti_misp.threat` ingest pipeline (pipelines reference section 2b), step by step.
#include "mapping/pipeline_run.h"

namespace misp::mapping {

using es::DateFormat;
using json::Value;

namespace {

void remove_if_empty(Ctx& ctx, std::string_view path) {
  Value* v = ctx.get(path);
  if (!v) return;
  if ((v->is_array() && v->a->empty()) || (v->is_object() && v->o->empty())) ctx.remove(path);
}

// Tags script: ctx.tags gets every name (duplicates allowed); marking.tlp is overwritten.
void tags_script(Ctx& ctx) {
  MispTags tags = read_misp_tags(ctx);
  if (!ctx.has("tags")) ctx.set("tags", ctx.doc().new_array());
  for (auto n : tags.names) ctx.append("tags", n);
  json::Value marking = ctx.doc().new_object(1);
  marking.o->push_back({"tlp", tags.tlp});
  ctx.set("threat.indicator.marking", marking);
}

}  // namespace

void run_threat_pipeline(Ctx& ctx, PipelineRun& run) {
  common_head(ctx, run, "json");

  if (Value* response = ctx.get("json.response"); response && !response->is_null()) {
    bool empty = (response->is_array() && response->a->empty()) ||
                 (response->is_object() && response->o->empty()) ||
                 (response->is_string() && response->s.size == 0);
    if (empty) {
      run.dropped = true;
      return;
    }
  }

  fingerprint_id(ctx, run,
                 {"json.Event.timestamp", "json.Event.Attribute.first_seen",
                  "json.Event.Attribute.uuid", "json.Event.Object.Attribute.uuid"});

  ctx.rename("json.Event", "misp.event", /*ignore_missing=*/false);
  // Compares with the string 'false' although MISP sends a boolean, so this is nearly always misp.
  if (ctx.str("misp.event.Orgc.local") != "false" || !ctx.has("misp.event.Orgc.local")) {
    ctx.set("threat.indicator.provider", "misp");
  } else if (Value* name = ctx.get("misp.event.Orgc.name");
             name && name->is_string() && name->s.size) {
    ctx.set("threat.indicator.provider", *name);
  }
  for (auto p :
       {"misp.event.ShadowAttribute", "misp.event.RelatedEvent", "misp.event.Galaxy",
        "misp.event.EventReport", "misp.event.Attribute.Galaxy",
        "misp.event.Attribute.ShadowAttribute", "misp.event.Object.Attribute.Galaxy",
        "misp.event.Object.Attribute.ShadowAttribute", "misp.event.Object.ObjectReference"})
    ctx.remove(p);
  remove_if_empty(ctx, "misp.event.Attribute");
  remove_if_empty(ctx, "misp.event.Object");

  ctx.date_or_note("misp.event.timestamp", "@timestamp", {DateFormat::kUnix},
                   "date_event_timestamp");
  ctx.date_or_note("misp.event.publish_timestamp", "", {DateFormat::kUnix},
                   "date_event_publish_timestamp");

  ctx.rename("misp.event.Attribute", "misp.attribute");
  ctx.rename("misp.event.Object", "misp.object");
  ctx.rename("misp.object.Attribute", "misp.object.attribute");
  ctx.rename("misp.object.meta-category", "misp.object.meta_category");
  ctx.rename("misp.event.Orgc", "misp.orgc");
  ctx.rename("misp.event.Org", "misp.org");
  ctx.rename("misp.event.Tag", "misp.tag");
  if (ctx.non_null("misp.object")) {
    // The object's attribute is the indicator; the event-level attribute becomes its context.
    ctx.rename("misp.attribute", "misp.context.attribute");
    ctx.rename("misp.object.attribute", "misp.attribute");
  }
  ctx.date_or_note("misp.attribute.timestamp", "", {DateFormat::kUnix}, "date_attribute_timestamp",
                   true);
  ctx.date_or_note("misp.context.attribute.timestamp", "", {DateFormat::kUnix},
                   "date_context_attribute_timestamp", true);
  ctx.date_or_note("misp.object.timestamp", "", {DateFormat::kUnix}, "date_object_timestamp", true);

  ctx.set("threat.feed.name", "MISP");
  ctx.rename("misp.attribute.first_seen", "threat.indicator.first_seen");
  ctx.rename("misp.attribute.last_seen", "threat.indicator.last_seen");
  ctx.convert_long("misp.event.analysis", "threat.indicator.scanner_stats");
  ctx.convert_long("misp.event.threat_level_id");

  run.indicator.classify(ctx, Dataset::kThreat, run.options.strict_elastic_parity);

  ctx.rename("misp.event.event_creator_email", "user.email");
  if (ctx.non_null("user.email")) ctx.append("user.roles", "reporting_user");
  if (ctx.non_null("misp.tag")) tags_script(ctx);

  for (auto p :
       {"misp.event.distribution", "misp.object.distribution", "misp.context.event.distribution",
        "misp.attribute.distribution", "misp.context.attribute.distribution",
        "threat.indicator.port", "misp.event.attribute_count"})
    ctx.convert_long(p);

  remove_nulls(ctx.root());
  bool keep_value = ctx.has("_tmp.keep_value");
  if (ctx.non_null("threat.indicator.type") && !keep_value) ctx.remove("misp.attribute.value");
  for (auto p : {"misp.event.Attribute.timestamp", "misp.event.timestamp", "misp.tag", "misp.org",
                 "misp.event.analysis", "_tmp", "json"})
    ctx.remove(p);
}

}  // namespace misp::mapping
