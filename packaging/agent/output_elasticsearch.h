// Elasticsearch _bulk output: `create` actions with each document's _id into its data stream
// (logs-<dataset>-<namespace>). sync() sends what is buffered and returns true once every
// document is settled: stored, already present (409: the same _id, delivered before), or refused
// for good (a 4xx other than 409 and 429, such as a mapping error) and written to the dead-letter
// file (OutputSpec::dead_letter_path: one NDJSON line per document with its status, reason and
// time; counted as rejected, logged once per batch). 429 and 5xx, per item or for the whole
// request, are retried with backoff; when retries run out, or the dead-letter file cannot be
// written, sync() fails and the cursor does not move. Every host of `hosts` is used: a
// connection error or a 5xx moves the request to the next one. Elasticsearch's answer is
// untrusted input: an item of an unexpected shape is retried like a 5xx, never dereferenced
// blindly.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/url.h"
#include "packaging/agent/output.h"

namespace httplib {
class ClientImpl;
}

namespace misp::agent {

// An entry of outputs.default.hosts, as Beats reads it: http:// or https:// (no scheme means
// http://), port 9200 when none is written; an empty port ("http://host:") and credentials in the
// URL are refused. The error is a sentence without the key.
Expected<Url, std::string> parse_elasticsearch_host(std::string_view text);

// What one request got: a status and body, or no answer (status 0, `error` says why). `host` is
// the redacted URL of the host that answered last.
struct EsResponse {
  int status = 0;
  std::string body;
  std::string error;
  std::string host;
};

// The hosts of an elasticsearch output behind one request(): auth, TLS as configured, failover.
class ElasticsearchClient {
 public:
  // The spec's hosts must parse (load_policy checked them); the error names the key otherwise.
  static Result<std::unique_ptr<ElasticsearchClient>> make(const OutputSpec& spec);
  ~ElasticsearchClient();

  // method GET, PUT, POST or DELETE on path (with its query); on a connection error or a 5xx the
  // same request goes to the next host, each host tried once. Not thread-safe.
  EsResponse request(const std::string& method, const std::string& path,
                     const std::string& body = "",
                     const std::string& content_type = "application/json");
  std::size_t host_count() const { return hosts_.size(); }
  std::string hosts_text() const;  // the redacted hosts, comma-separated

 private:
  ElasticsearchClient() = default;
  struct Host {
    Url url;
    std::unique_ptr<httplib::ClientImpl> client;
  };
  std::vector<Host> hosts_;
  std::size_t current_ = 0;  // where the next request starts: the last host that answered
  std::string auth_;
};

Result<std::unique_ptr<Output>> make_elasticsearch_output(const OutputSpec& spec, LogFn log);

}  // namespace misp::agent
