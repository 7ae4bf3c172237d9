// Mapping speed against the floor of merely parsing the same bytes with simdjson.
//   build/default/tests/bench_mapping --benchmark_repetitions=5
// Every vector fixture maps once and checks the result against ../shared/vectors before timing.
// The *_Generated benchmarks read realistic inputs made by tests/bench/gen_misp.py from
// $MISP_BENCH_DIR (attributes.ndjson, event.json); see RESULTS.md for the commands.
#include <benchmark/benchmark.h>
#include <simdjson.h>
#include <sys/resource.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "mapping/json/parse.h"
#include "mapping/json/write.h"
#include "mapping/mapper.h"
#include "plugin/split.h"
#include "tests/support/golden.h"
#include "tests/support/json_diff.h"
#include "tests/support/vectors.h"

namespace {

using Json = nlohmann::json;
using misp::mapping::Dataset;

struct Vector {
  std::vector<std::string> lines;
  misp::mapping::Options options;
  std::string error;  // a mismatch found before timing
  std::size_t bytes = 0;
};

Vector load(const std::string& dir, const std::string& name, Dataset dataset) {
  Vector v;
  auto base = misp::test::shared_path("vectors/" + dir + "/" + name);
  v.lines = misp::test::read_lines(base + ".ndjson");
  auto spec = Json::parse(misp::test::read_file(base + ".expected.json"));
  v.options = misp::test::options_from_config(spec["config"], dataset);
  misp::mapping::Mapper mapper(v.options);
  for (std::size_t i = 0; i < v.lines.size(); ++i) {
    v.bytes += v.lines[i].size();
    auto got = Json::parse(mapper.map(v.lines[i]).document);
    auto want = spec["expected"][i];
    misp::test::drop_host_fields(got);
    misp::test::drop_host_fields(want);
    auto diff = misp::test::json_diff(want, got);
    if (!diff.empty() && v.error.empty())
      v.error = name + " line " + std::to_string(i + 1) + ": " + diff;
  }
  return v;
}

void run_mapping(benchmark::State& state, const Vector& v) {
  if (!v.error.empty()) {
    state.SkipWithError(v.error.c_str());
    return;
  }
  misp::mapping::Mapper mapper(v.options);
  for (auto _ : state) {
    for (const auto& line : v.lines) {
      auto out = mapper.map(line);
      benchmark::DoNotOptimize(out.document.data());
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * v.lines.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * v.bytes));
}

void run_simdjson(benchmark::State& state, const Vector& v) {
  simdjson::dom::parser parser;
  std::vector<simdjson::padded_string> padded;
  for (const auto& l : v.lines) padded.emplace_back(l);
  for (auto _ : state) {
    for (const auto& p : padded) {
      auto doc = parser.parse(p);
      benchmark::DoNotOptimize(doc.error());
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * v.lines.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * v.bytes));
}

const Vector& seed() {
  static const Vector v = load("threat", "seed-example", Dataset::kThreat);
  return v;
}
const Vector& attributes() {
  static const Vector v = load("threat_attributes", "sample", Dataset::kThreatAttributes);
  return v;
}

void BM_Mapping_ThreatSeedExample(benchmark::State& s) {
  run_mapping(s, seed());
}
void BM_Simdjson_ThreatSeedExample(benchmark::State& s) {
  run_simdjson(s, seed());
}
void BM_Mapping_ThreatAttributesSample(benchmark::State& s) {
  run_mapping(s, attributes());
}
void BM_Simdjson_ThreatAttributesSample(benchmark::State& s) {
  run_simdjson(s, attributes());
}

// The same seed document without preserve_original_event: no event.original to escape.
void BM_Mapping_ThreatSeedExampleNoOriginal(benchmark::State& s) {
  Vector v = seed();
  v.options.tags = {"forwarded", "misp-threat"};
  run_mapping(s, v);
}

// A whole events page: split + map of an event with N attributes. Reports peak RSS, which must
// not grow with N beyond the body itself.
void BM_SplitAndMap_LargeEvent(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::string body =
      R"({"response": [{"Event":{"uuid":"e","info":"bench","timestamp":"1700000000",)"
      R"("analysis":"0","distribution":"1","Orgc":{"name":"ORG","local":true},"Attribute":[)";
  for (std::size_t i = 0; i < n; ++i) {
    if (i) body += ',';
    body += R"({"id":")" + std::to_string(i) +
            R"(","type":"ip-dst","category":"Network activity",)"
            R"("value":"192.0.2.)" +
            std::to_string(i % 250) + R"(","uuid":"u-)" + std::to_string(i) +
            R"(","timestamp":"1700000000","distribution":"5","to_ids":true,"first_seen":null})";
  }
  body += "],\"Object\":[]}}]}";
  misp::json::Parser parser;
  misp::mapping::Options o;
  o.now_ms = 1'700'000'000'000;
  misp::mapping::Mapper mapper(o);
  std::size_t docs = 0;
  for (auto _ : state) {
    misp::json::Doc doc;
    misp::json::Value v;
    std::string err;
    if (!parser.parse(body, doc, v, err)) {
      state.SkipWithError(err.c_str());
      return;
    }
    docs = misp::plugin::split_events_response_docs(
        v, misp::plugin::SplitMode::kPerIndicator, [&](const misp::json::Value& d) {
          benchmark::DoNotOptimize(mapper.map_split(d).document.data());
        });
  }
  if (docs != n) state.SkipWithError("split lost documents");
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  state.counters["peak_rss_MiB"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
  state.counters["body_MiB"] = static_cast<double>(body.size()) / (1024.0 * 1024.0);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

// Realistic generated inputs (every MISP type, tags, decay scores, objects), from $MISP_BENCH_DIR.
struct Generated {
  std::vector<std::string> lines;  // attributes.ndjson
  std::string event;               // event.json: one /events/restSearch body
  std::size_t line_bytes = 0;
  std::string missing;
};

const Generated& generated() {
  static const Generated g = [] {
    Generated g;
    const char* dir = std::getenv("MISP_BENCH_DIR");
    if (!dir) {
      g.missing = "set MISP_BENCH_DIR to a folder made with tests/bench/gen_misp.py";
      return g;
    }
    g.lines = misp::test::read_lines(std::string(dir) + "/attributes.ndjson");
    g.event = misp::test::read_file(std::string(dir) + "/event.json");
    for (const auto& l : g.lines) g.line_bytes += l.size();
    if (g.lines.empty() || g.event.empty()) g.missing = std::string(dir) + ": inputs missing";
    return g;
  }();
  return g;
}

void BM_Map_GeneratedAttributes(benchmark::State& state) {
  const Generated& g = generated();
  if (!g.missing.empty()) return state.SkipWithError(g.missing.c_str());
  misp::mapping::Options o;
  o.dataset = Dataset::kThreatAttributes;
  o.now_ms = 1'764'547'200'000;
  misp::mapping::Mapper mapper(o);
  for (auto _ : state)
    for (const auto& line : g.lines) benchmark::DoNotOptimize(mapper.map(line).document.data());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * g.lines.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * g.line_bytes));
}

void BM_Simdjson_GeneratedAttributes(benchmark::State& state) {
  const Generated& g = generated();
  if (!g.missing.empty()) return state.SkipWithError(g.missing.c_str());
  Vector v;
  v.lines = g.lines, v.bytes = g.line_bytes;
  run_simdjson(state, v);
}

// What a poll does with one events page: parse the body, split, map every document. via_text:
// as before issue 12, each split document written as text and parsed again by the mapper.
void split_and_map_generated_event(benchmark::State& state, bool via_text) {
  const Generated& g = generated();
  if (!g.missing.empty()) return state.SkipWithError(g.missing.c_str());
  misp::json::Parser parser;
  misp::mapping::Options o;
  o.now_ms = 1'764'547'200'000;
  misp::mapping::Mapper mapper(o);
  std::size_t docs = 0;
  std::string text;
  for (auto _ : state) {
    misp::json::Doc doc;
    misp::json::Value v;
    std::string err;
    if (!parser.parse(g.event, doc, v, err)) return state.SkipWithError(err.c_str());
    docs = misp::plugin::split_events_response_docs(
        v, misp::plugin::SplitMode::kPerIndicator, [&](const misp::json::Value& d) {
          if (via_text) {
            text.clear();
            misp::json::write_go(d, text);
            benchmark::DoNotOptimize(mapper.map(text).document.data());
          } else {
            benchmark::DoNotOptimize(mapper.map_split(d).document.data());
          }
        });
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * docs));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * g.event.size()));
}

void BM_SplitAndMap_GeneratedEvent(benchmark::State& state) {
  split_and_map_generated_event(state, false);
}
void BM_SplitAndMap_GeneratedEventViaText(benchmark::State& state) {
  split_and_map_generated_event(state, true);
}

void BM_Simdjson_GeneratedEvent(benchmark::State& state) {
  const Generated& g = generated();
  if (!g.missing.empty()) return state.SkipWithError(g.missing.c_str());
  simdjson::dom::parser parser;
  simdjson::padded_string padded(g.event);
  for (auto _ : state) benchmark::DoNotOptimize(parser.parse(padded).error());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * g.event.size()));
}

BENCHMARK(BM_Map_GeneratedAttributes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Simdjson_GeneratedAttributes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SplitAndMap_GeneratedEvent)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SplitAndMap_GeneratedEventViaText)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Simdjson_GeneratedEvent)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Mapping_ThreatSeedExample);
BENCHMARK(BM_Mapping_ThreatSeedExampleNoOriginal);
BENCHMARK(BM_Simdjson_ThreatSeedExample);
BENCHMARK(BM_Mapping_ThreatAttributesSample);
BENCHMARK(BM_Simdjson_ThreatAttributesSample);
BENCHMARK(BM_SplitAndMap_LargeEvent)
    ->ArgName("attrs")
    ->RangeMultiplier(10)
    ->Range(1000, 300000)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
