// Elasticsearch _bulk output: `create` actions with each document's _id into its data stream
// (logs-<dataset>-<namespace>). sync() sends what is buffered and returns true once every
// document is stored, already present (409: the same _id, delivered before), or refused for good
// (a 4xx such as a mapping error: logged with the reason, never retried). 429 and 5xx, per item
// or for the whole request, are retried with backoff; when retries run out sync() fails and the
// cursor does not move. Elasticsearch's answer is untrusted input: an item of an unexpected
// shape is retried like a 5xx, never dereferenced blindly.
#pragma once

#include "packaging/agent/output.h"

namespace misp::agent {

Result<std::unique_ptr<Output>> make_elasticsearch_output(const OutputSpec& spec, LogFn log);

}  // namespace misp::agent
