// The mapping entry point: one split MISP document (the `message` httpjson would publish) in,
// the ECS document Elastic's ingest pipeline would store out. Pure: no I/O, the clock comes in
// through Options::now_ms.
#pragma once

#include <string_view>

#include "mapping/indicator.h"
#include "mapping/json/parse.h"
#include "mapping/json/value.h"
#include "mapping/options.h"

namespace misp::mapping {

// Reusable across documents (it keeps its parser buffers and arena warm); not thread-safe, so
// one per thread.
class Mapper {
 public:
  explicit Mapper(Options options);

  // Never throws for bad input: a document that fails the pipeline comes back as a
  // pipeline_error document, as Elasticsearch's on_failure would store it.
  Output map(std::string_view message);
  // The same for a split document the caller has as a tree (the poller's split): the result is
  // map() of its write_go() text, without writing and parsing that text (written only when
  // event.original is kept). message must stay valid during the call.
  Output map_split(const json::Value& message);
  // The same as map(message) for a message the caller has parsed already with json::Parser (a
  // line it read to tell its shape): the pipeline takes `parsed` over and works on it in place
  // (its nodes must live until the call returns), and the text is not parsed a second time.
  Output map_parsed(std::string_view message, json::Value& parsed);

  const Options& options() const { return options_; }

 private:
  Output run(std::string_view message, const json::Value* tree, json::Value* parsed = nullptr);

  Options options_;
  json::Parser parser_;
  json::Doc doc_;
  IndicatorClassifier indicator_;
  std::string created_;  // event.created, formatted once
};

// Convenience for one-off calls (tests, tools).
Output map_document(std::string_view message, const Options& options);

}  // namespace misp::mapping
