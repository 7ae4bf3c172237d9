#include "packaging/agent/output_elasticsearch.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/url.h"

namespace misp::agent {

namespace {

std::string base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// The status of one _bulk item ({"create": {"status": N, ...}}); 0 when it has no such shape.
int item_status(const nlohmann::json& item) {
  if (!item.is_object() || item.size() != 1) return 0;
  const auto& body = item.begin().value();
  if (!body.is_object() || !body.contains("status") || !body["status"].is_number_integer())
    return 0;
  return body["status"].get<int>();
}

std::string item_reason(const nlohmann::json& item) {
  const auto& body = item.begin().value();
  if (!body.contains("error")) return "";
  const auto& e = body["error"];
  if (e.is_object() && e.contains("reason") && e["reason"].is_string())
    return e["reason"].get<std::string>();
  return e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct Pending {
  std::string index, id, body;
  int attempts = 0;
};

class ElasticsearchOutput : public Output {
 public:
  ElasticsearchOutput(OutputSpec spec, Url url, LogFn log)
      : spec_(std::move(spec)), url_(std::move(url)), log_(std::move(log)) {
    if (url_.scheme == "https") {
      auto ssl = std::make_unique<httplib::SSLClient>(url_.host, url_.port);
      ssl->enable_server_certificate_verification(spec_.verify_certificates);
      if (!spec_.certificate_authorities.empty()) {
        X509_STORE* store = X509_STORE_new();
        for (const auto& ca : spec_.certificate_authorities)
          X509_STORE_load_file(store, ca.c_str());
        ssl->set_ca_cert_store(store);
      }
      client_ = std::move(ssl);
    } else {
      client_ = std::make_unique<httplib::ClientImpl>(url_.host, url_.port);
    }
    client_->set_keep_alive(true);
    client_->set_tcp_nodelay(true);
    client_->set_read_timeout(60, 0);
    if (!spec_.api_key.empty())
      auth_ = "ApiKey " + base64(spec_.api_key.reveal());
    else if (!spec_.username.empty())
      auth_ = "Basic " + base64(spec_.username + ":" + spec_.password.reveal());
  }

  const char* type() const override { return "elasticsearch"; }

 protected:
  bool do_write(const Document& d) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string body(d.body);
    if (d.raw) {  // raw mode: Filebeat's event shape, message holds httpjson's text
      body = "{\"message\":";
      append_json_string(body, d.body);
      body += "}";
    }
    pending_.push_back({std::string(d.index), std::string(d.id), std::move(body), 0});
    return true;
  }

  bool do_sync() override {
    std::lock_guard<std::mutex> lock(mu_);
    while (!pending_.empty()) {
      std::size_t n =
          std::min<std::size_t>(pending_.size(), static_cast<std::size_t>(spec_.bulk_max_size));
      std::vector<Pending> batch(
          std::make_move_iterator(pending_.begin()),
          std::make_move_iterator(pending_.begin() + static_cast<std::ptrdiff_t>(n)));
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
      if (!send(batch)) {
        // Put the batch back in front: nothing of it counts as delivered.
        pending_.insert(pending_.begin(), std::make_move_iterator(batch.begin()),
                        std::make_move_iterator(batch.end()));
        return false;
      }
    }
    return true;
  }

  void add_stats(OutputStats& s) const override {
    std::lock_guard<std::mutex> lock(mu_);
    s.indexed = stats_.indexed, s.duplicates = stats_.duplicates, s.rejected = stats_.rejected;
    s.retried = stats_.retried, s.requests = stats_.requests;
  }

 private:
  // Sends until every document of the batch is settled; false when retries ran out or
  // Elasticsearch refused the request itself (auth, bad request: the operator must act).
  bool send(std::vector<Pending>& batch) {
    while (!batch.empty()) {
      std::vector<Pending> retry;
      if (!post(batch, retry)) return false;
      for (auto& p : retry) {
        if (++p.attempts > spec_.max_retries) {
          batch = std::move(retry);
          return false;
        }
      }
      if (!retry.empty()) {
        stats_.retried += retry.size();
        std::this_thread::sleep_for(std::chrono::milliseconds(spec_.backoff_ms));
      }
      batch = std::move(retry);
    }
    return true;
  }

  static std::string bulk_body(const std::vector<Pending>& batch) {
    std::string body;
    for (const auto& p : batch) {
      body += "{\"create\":{\"_index\":";
      append_json_string(body, p.index);
      if (!p.id.empty()) {
        body += ",\"_id\":";
        append_json_string(body, p.id);
      }
      body += "}}\n";
      body += p.body;
      body += '\n';
    }
    return body;
  }

  // One _bulk request: what is to be retried goes to `retry`. False when refused outright.
  bool post(std::vector<Pending>& batch, std::vector<Pending>& retry) {
    httplib::Headers headers = {{"Accept", "application/json"}};
    if (!auth_.empty()) headers.emplace("Authorization", auth_);
    ++stats_.requests;
    auto res =
        client_->Post(url_.path + "/_bulk", headers, bulk_body(batch), "application/x-ndjson");
    if (!res || res->status == 429 || res->status >= 500) {
      std::string why =
          res ? "HTTP " + std::to_string(res->status) : httplib::to_string(res.error());
      log_("Bulk request failed; retrying. url=" + url_.redacted() + " reason=\"" + why + "\".");
      retry = std::move(batch);
      return true;
    }
    if (res->status != 200) {
      log_("Bulk request refused. url=" + url_.redacted() + " status=" +
           std::to_string(res->status) + " body=\"" + res->body.substr(0, 300) + "\".");
      return false;  // nothing is lost: the batch stays pending
    }
    nlohmann::json j = nlohmann::json::parse(res->body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("items") || !j["items"].is_array() ||
        j["items"].size() != batch.size()) {
      log_("Bulk response unreadable; retrying the batch.");
      retry = std::move(batch);
      return true;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) settle(j["items"][i], batch[i], retry);
    return true;
  }

  // One item of a _bulk answer: stored, already stored, retried, or rejected and logged.
  void settle(const nlohmann::json& item, Pending& p, std::vector<Pending>& retry) {
    int status = item_status(item);
    if (status == 200 || status == 201) {
      ++stats_.indexed;
    } else if (status == 409) {
      ++stats_.duplicates;  // this _id is already stored: at-least-once, deduplicated
    } else if (status == 0 || status == 429 || status >= 500) {
      if (status == 0) log_("Bulk response item unreadable; retrying it. _id=" + p.id + ".");
      retry.push_back(std::move(p));
    } else {
      ++stats_.rejected;
      log_("Document rejected by Elasticsearch. index=" + p.index + " _id=" + p.id + " status=" +
           std::to_string(status) + " reason=\"" + item_reason(item).substr(0, 300) + "\".");
    }
  }

  OutputSpec spec_;
  Url url_;
  LogFn log_;
  std::string auth_;
  std::unique_ptr<httplib::ClientImpl> client_;
  mutable std::mutex mu_;
  std::vector<Pending> pending_;
  OutputStats stats_;  // the Elasticsearch counters only
};

}  // namespace

Result<std::unique_ptr<Output>> make_elasticsearch_output(const OutputSpec& spec, LogFn log) {
  if (spec.hosts.empty()) return Error{"outputs.default.hosts", "is required"};
  auto url = parse_http_url(spec.hosts.front());
  if (!url) return Error{"outputs.default.hosts[0]", url.error()};
  if (spec.bulk_max_size < 1) return Error{"outputs.default.bulk_max_size", "must be at least 1"};
  return std::unique_ptr<Output>(
      std::make_unique<ElasticsearchOutput>(spec, url.value(), std::move(log)));
}

}  // namespace misp::agent
