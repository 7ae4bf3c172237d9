// The `ti_misp.threat_attributes` ingest pipeline (pipelines reference section 3b), step by step,
// including the decay and IOC-expiry scripts.
#include <charconv>

#include "mapping/es/convert.h"
#include "mapping/es/date.h"
#include "mapping/es/java_text.h"
#include "mapping/expiry.h"
#include "mapping/pipeline_run.h"

namespace misp::mapping {

using es::DateFormat;
using json::Value;

namespace {

constexpr std::int64_t kTwoMinutesMs = 2 * 60 * 1000;

// Script: 16-digit microsecond strings lose their last three digits (-> milliseconds).
void trim_microseconds(Ctx& ctx, std::string_view path) {
  Value* v = ctx.get(path);
  if (v && v->is_string() && v->s.size == 16) *v = Value::string_view(v->str().substr(0, 13));
}

void copy_if_not_empty(Ctx& ctx, std::string_view from, std::string_view to) {
  Value* v = ctx.get(from);
  if (!v || v->is_null() || (v->is_string() && v->s.size == 0)) return;
  ctx.set(to, *v);
}

// Tags script: names appended to ctx.tags without duplicates; marking.tlp set.
void tags_script(Ctx& ctx) {
  MispTags tags = read_misp_tags(ctx);
  ctx.set("threat.indicator.marking.tlp", tags.tlp);
  for (auto n : tags.names) ctx.append("tags", n, /*allow_duplicates=*/false);
}

// script-misp_decayed: decayed when at least half of the models say so.
void decay_script(Ctx& ctx, std::int64_t ingest_ms) {
  Value* scores = ctx.get("misp.attribute.decay_score");
  if (!scores || !scores->is_array() || scores->a->empty()) return;
  std::size_t decayed = 0;
  for (const auto& s : *scores->a) {
    const Value* d = json::find_member(s, "decayed");
    if (d && d->type == json::Type::kBool && d->b) ++decayed;
  }
  bool is_decayed = static_cast<double>(decayed) >= static_cast<double>(scores->a->size()) / 2.0;
  ctx.set("misp.attribute.decayed", Value::boolean(is_decayed));
  if (is_decayed)
    ctx.set_copy("misp.attribute.decayed_at", es::format_millis(ingest_ms - kTwoMinutesMs));
}

// script-default-decayed_at. Elastic's script reads ctx._conf.ioc_expiration_duration, which the
// agent writes into every event; we hand the option over directly and keep it out of documents.
void expiry_script(Ctx& ctx, std::int64_t ingest_ms, std::string_view duration) {
  if (ctx.non_null("misp.attribute.decayed_at")) return;
  if (duration.empty()) return;
  const Value* ts = ctx.get("misp.attribute.timestamp");
  std::int64_t base_ms = 0;
  if (ts && ts->type == json::Type::kInt) {
    base_ms = es::java_long_multiply(ts->i, 1000);
  } else if (ts && ts->type == json::Type::kDouble) {
    base_ms = es::java_long_multiply(es::java_long_cast(ts->d), 1000);  // Number.longValue()
  } else {
    std::string_view text = ts && ts->is_string() ? ts->str() : std::string_view{};
    auto secs = es::to_long(text);  // Long.parseLong; hex prefixes are not accepted there
    if (!secs || text.starts_with("0x") || text.starts_with("-0x"))
      throw ProcessorFailure("For input string: \"" + std::string(text) + "\"");
    base_ms = es::java_long_multiply(*secs, 1000);
  }
  if (const Value* last_seen = ctx.get("misp.attribute.last_seen");
      last_seen && !last_seen->is_null()) {
    auto ls = last_seen->is_string() ? es::parse_iso8601(last_seen->str()) : std::nullopt;
    if (!ls)
      throw ProcessorFailure("Text '" + es::java_to_string(*last_seen) + "' could not be parsed");
    base_ms = std::max(base_ms, *ls);
  }
  ExpiryDuration d = parse_expiry_duration(duration);
  if (!d.valid_number)
    throw ProcessorFailure("For input string: \"" +
                           std::string(duration.substr(0, duration.size() - 1)) + "\"");
  if (d.fell_back)
    ctx.append("error.message", "invalid ioc_expiration_duration: using default 90 days");
  std::int64_t decayed_at = es::java_long_add(base_ms, d.millis);
  ctx.set_copy("misp.attribute.decayed_at", es::format_millis(decayed_at));
  ctx.set("misp.attribute.decayed", Value::boolean(decayed_at < ingest_ms));
}

}  // namespace

void run_threat_attributes_pipeline(Ctx& ctx, PipelineRun& run) {
  json::Doc& doc = ctx.doc();
  const std::int64_t ingest_ms = run.options.now_ms;
  common_head(ctx, run, "misp.attribute");
  if (!ctx.get("misp.attribute")->is_object())
    throw ProcessorFailure("cannot parse [event.original]: a MISP attribute must be a JSON object");

  fingerprint_id(ctx, run,
                 {"misp.attribute.first_seen", "misp.attribute.timestamp", "misp.attribute.uuid",
                  "misp.attribute.Event.uuid"});

  ctx.set("threat.indicator.provider", "misp");
  if (ctx.non_null("misp.attribute.timestamp"))
    ctx.date_or_note("misp.attribute.timestamp", "@timestamp", {DateFormat::kUnix},
                     "date_attribute_timestamp");
  ctx.rename("misp.attribute.Event", "misp.event");
  ctx.rename("misp.attribute.Tag", "misp.tag");
  ctx.rename("misp.attribute.Object", "misp.object");
  ctx.rename("misp.object.Attribute", "misp.object.attribute");
  ctx.rename("misp.object.meta-category", "misp.object.meta_category");
  ctx.set_copy("_tmp.event_ingested", es::format_millis(ingest_ms));

  trim_microseconds(ctx, "misp.attribute.first_seen");
  trim_microseconds(ctx, "misp.attribute.last_seen");
  if (ctx.non_null("misp.attribute.first_seen"))
    ctx.date_or_note("misp.attribute.first_seen", "", {DateFormat::kUnixMs, DateFormat::kIso8601},
                     "date_attribute_first_seen");
  if (ctx.non_null("misp.attribute.last_seen"))
    ctx.date_or_note("misp.attribute.last_seen", "", {DateFormat::kUnixMs, DateFormat::kIso8601},
                     "date_attribute_last_seen");

  decay_script(ctx, ingest_ms);
  expiry_script(ctx, ingest_ms, run.options.ioc_expiration_duration);
  // A soft-deleted attribute is MISP's explicit retraction: expire it at once, like a decayed one.
  if (!run.options.strict_elastic_parity) {
    const Value* deleted = ctx.get("misp.attribute.deleted");
    if (deleted && deleted->type == json::Type::kBool && deleted->b) {
      ctx.set("misp.attribute.decayed", Value::boolean(true));
      ctx.set_copy("misp.attribute.decayed_at", es::format_millis(ingest_ms - kTwoMinutesMs));
    }
  }

  for (auto p : {"misp.event.timestamp", "misp.event.publish_timestamp",
                 "misp.event.sighting_timestamp", "misp.object.timestamp"})
    if (ctx.non_null(p)) ctx.date(p, "", {DateFormat::kUnix});

  ctx.set("threat.feed.name", "MISP");
  copy_if_not_empty(ctx, "misp.attribute.first_seen", "threat.indicator.first_seen");
  copy_if_not_empty(ctx, "misp.attribute.last_seen", "threat.indicator.last_seen");
  ctx.convert_long("misp.event.analysis", "threat.indicator.scanner_stats");

  run.indicator.classify(ctx, Dataset::kThreatAttributes, run.options.strict_elastic_parity);

  ctx.rename("misp.event.event_creator_email", "user.email");
  if (ctx.non_null("user.email")) ctx.append("user.roles", "reporting_user");
  if (ctx.non_null("misp.tag")) tags_script(ctx);
  ctx.rename("misp.event.org_id", "organization.id");
  for (auto p :
       {"misp.attribute.distribution", "misp.object.distribution", "misp.event.distribution",
        "threat.indicator.port", "misp.event.attribute_count", "misp.event.threat_level_id"})
    ctx.convert_long(p);

  if (Value* attrs = ctx.get("misp.object.attribute"); attrs && attrs->is_array()) {
    for (auto& a : *attrs->a) {
      Value* ts = json::find_member(a, "timestamp");
      if (!ts || ts->is_null()) continue;  // ignore_failure
      auto ms = es::parse_unix(es::java_to_string(*ts));
      if (ms) *ts = doc.new_string(es::format_millis(*ms));
    }
  }

  remove_nulls(ctx.root());
  bool keep_value = ctx.has("_tmp.keep_value");
  if (ctx.non_null("threat.indicator.type") && !keep_value) ctx.remove("misp.attribute.value");
  for (auto p : {"temp_tags", "misp.attribute.timestamp", "misp.tag", "misp.event.analysis", "_tmp",
                 "json", "_conf"})
    ctx.remove(p);
}

}  // namespace misp::mapping
