#include "packaging/agent/output_elasticsearch.h"

#include <httplib.h>
#include <openssl/x509.h>

#include <chrono>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "mapping/es/fingerprint.h"
#include "mapping/json/write.h"

namespace misp::agent {

namespace {

using plugin::Errc;
using plugin::Error;

struct Pending {
  std::string index, id, body;
  int attempts = 0;
};

class ElasticsearchOutput : public Output {
 public:
  ElasticsearchOutput(OutputSpec spec, plugin::Url url, LogFn log)
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
      auth_ = "ApiKey " + mapping::es::base64(spec_.api_key.reveal());
    else if (!spec_.username.empty())
      auth_ = "Basic " + mapping::es::base64(spec_.username + ":" + spec_.password.reveal());
  }

  bool write(const Document& d) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string body(d.body);
    if (d.raw) {  // raw mode: Filebeat's event shape, message holds httpjson's text
      body = "{\"message\":";
      json::write_string(d.body, body);
      body += "}";
    }
    pending_.push_back({std::string(d.index), std::string(d.id), std::move(body), 0});
    return true;
  }

  bool sync() override {
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

  BulkStats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }

 private:
  // Sends until every document of the batch is settled; false when retries ran out.
  bool send(std::vector<Pending>& batch) {
    while (!batch.empty()) {
      std::string body;
      for (const auto& p : batch) {
        body += "{\"create\":{\"_index\":";
        json::write_string(p.index, body);
        if (!p.id.empty()) {
          body += ",\"_id\":";
          json::write_string(p.id, body);
        }
        body += "}}\n";
        body += p.body;
        body += '\n';
      }
      httplib::Headers headers = {{"Accept", "application/json"}};
      if (!auth_.empty()) headers.emplace("Authorization", auth_);
      ++stats_.requests;
      auto res = client_->Post(url_.path + "/_bulk", headers, body, "application/x-ndjson");
      std::vector<Pending> retry;
      if (!res || res->status == 429 || res->status >= 500) {
        std::string why =
            res ? "HTTP " + std::to_string(res->status) : httplib::to_string(res.error());
        log_("Bulk request failed; retrying. url=" + url_.redacted() + " reason=\"" + why + "\".");
        retry = std::move(batch);
      } else if (res->status != 200) {
        log_("Bulk request refused. url=" + url_.redacted() + " status=" +
             std::to_string(res->status) + " body=\"" + res->body.substr(0, 300) + "\".");
        return false;  // auth or request errors: the operator must act; nothing is lost
      } else {
        nlohmann::json j = nlohmann::json::parse(res->body, nullptr, false);
        if (j.is_discarded() || !j.contains("items") || j["items"].size() != batch.size()) {
          log_("Bulk response unreadable; retrying the batch.");
          retry = std::move(batch);
        } else {
          for (std::size_t i = 0; i < batch.size(); ++i) {
            const auto& item = j["items"][i].begin().value();
            int status = item.value("status", 0);
            if (status == 200 || status == 201) {
              ++stats_.indexed;
            } else if (status == 409) {
              ++stats_.duplicates;  // this _id is already stored: at-least-once, deduplicated
            } else if (status == 429 || status >= 500) {
              retry.push_back(std::move(batch[i]));
            } else {
              ++stats_.rejected;
              std::string reason =
                  item.contains("error") ? item["error"].value("reason", item["error"].dump()) : "";
              log_("Document rejected by Elasticsearch. index=" + batch[i].index +
                   " _id=" + batch[i].id + " status=" + std::to_string(status) + " reason=\"" +
                   reason.substr(0, 300) + "\".");
            }
          }
        }
      }
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

  OutputSpec spec_;
  plugin::Url url_;
  LogFn log_;
  std::string auth_;
  std::unique_ptr<httplib::ClientImpl> client_;
  mutable std::mutex mu_;
  std::vector<Pending> pending_;
  BulkStats stats_;
};

}  // namespace

plugin::Result<std::unique_ptr<Output>> make_elasticsearch_output(const OutputSpec& spec,
                                                                  LogFn log) {
  if (spec.hosts.empty())
    return Error{Errc::kConfigMissing, "outputs.default.hosts", "is required"};
  auto url = plugin::parse_url(spec.hosts.front(), "outputs.default.hosts[0]");
  if (!url) return url.error();
  if (spec.bulk_max_size < 1)
    return Error{Errc::kConfigValue, "outputs.default.bulk_max_size", "must be at least 1"};
  return std::unique_ptr<Output>(
      std::make_unique<ElasticsearchOutput>(spec, url.value(), std::move(log)));
}

BulkStats bulk_stats(const Output& output) {
  if (auto* es = dynamic_cast<const ElasticsearchOutput*>(&output)) return es->stats();
  return {};
}

}  // namespace misp::agent
