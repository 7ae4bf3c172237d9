// Elasticsearch _bulk output: `create` actions with each document's _id into its data stream
// (logs-<dataset>-<namespace>). sync() sends what is buffered and returns true once every
// document is stored, already present (409: the same _id, delivered before), or refused for good
// (a 4xx such as a mapping error: logged with the reason, never retried). 429 and 5xx, per item
// or for the whole request, are retried with backoff; when retries run out sync() fails and the
// cursor does not move.
#pragma once

#include "packaging/agent/output.h"

namespace misp::agent {

plugin::Result<std::unique_ptr<Output>> make_elasticsearch_output(const OutputSpec& spec,
                                                                  LogFn log);

// Counts for tests and the progress line.
struct BulkStats {
  std::uint64_t indexed = 0, duplicates = 0, rejected = 0, retried = 0, requests = 0;
};
BulkStats bulk_stats(const Output& output);  // zeros for other outputs

}  // namespace misp::agent
