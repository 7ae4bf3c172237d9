#include "packaging/agent/output_elasticsearch.h"

#include <fcntl.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

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

// Now as 2026-12-02T13:04:05.123Z.
std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms.count()));
  return out;
}

struct Pending {
  std::string index, id, body;
  int attempts = 0;
};

// A document Elasticsearch refused for good, on its way to the dead-letter file.
struct Refused {
  Pending doc;
  int status = 0;
  nlohmann::json error;
  std::string reason;
};

class ElasticsearchOutput : public Output {
 public:
  ElasticsearchOutput(OutputSpec spec, std::unique_ptr<ElasticsearchClient> client, LogFn log)
      : spec_(std::move(spec)), client_(std::move(client)), log_(std::move(log)) {}

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
        // Put what is unsettled back in front: nothing of it counts as delivered.
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
  // Sends until every document of the batch is settled; false when retries ran out, the
  // dead-letter file could not be written, or Elasticsearch refused the request itself (auth,
  // bad request: the operator must act). `batch` then holds what is not settled.
  bool send(std::vector<Pending>& batch) {
    while (!batch.empty()) {
      std::vector<Pending> retry;
      std::vector<Refused> refused;
      if (!post(batch, retry, refused)) return false;
      if (!refused.empty() && !dead_letter(refused)) {
        batch = std::move(retry);
        for (auto& r : refused) batch.push_back(std::move(r.doc));
        return false;
      }
      for (auto& p : retry) {
        if (++p.attempts > spec_.max_retries) {
          log_(
              "Retries ran out; the cursor stays and the documents are sent again later. "
              "documents=" +
              std::to_string(retry.size()) + ".");
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

  // One _bulk request: what is to be retried goes to `retry`, what is refused for good to
  // `refused`. False when the request is refused outright (`batch` is then untouched).
  bool post(std::vector<Pending>& batch, std::vector<Pending>& retry,
            std::vector<Refused>& refused) {
    ++stats_.requests;
    EsResponse res = client_->request("POST", "/_bulk", bulk_body(batch), "application/x-ndjson");
    if (res.status == 0 || res.status == 429 || res.status >= 500) {
      std::string why = res.status ? "HTTP " + std::to_string(res.status) : res.error;
      log_("Bulk request failed; retrying. url=" + res.host + " reason=\"" + why + "\".");
      retry = std::move(batch);
      return true;
    }
    if (res.status != 200) {
      log_("Bulk request refused. url=" + res.host + " status=" + std::to_string(res.status) +
           " body=\"" + res.body.substr(0, 300) + "\".");
      return false;  // nothing is lost: the batch stays pending
    }
    nlohmann::json j = nlohmann::json::parse(res.body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("items") || !j["items"].is_array() ||
        j["items"].size() != batch.size()) {
      log_("Bulk response unreadable; retrying the batch. url=" + res.host + ".");
      retry = std::move(batch);
      return true;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) settle(j["items"][i], batch[i], retry, refused);
    return true;
  }

  // One item of a _bulk answer: stored, already stored, retried, or refused for good.
  void settle(const nlohmann::json& item, Pending& p, std::vector<Pending>& retry,
              std::vector<Refused>& refused) {
    int status = item_status(item);
    if (status == 200 || status == 201) {
      ++stats_.indexed;
    } else if (status == 409) {
      ++stats_.duplicates;  // this _id is already stored: at-least-once, deduplicated
    } else if (status == 0 || status == 429 || status >= 500 || status < 200) {
      if (status == 0) log_("Bulk response item unreadable; retrying it. _id=" + p.id + ".");
      retry.push_back(std::move(p));
    } else {
      const auto& body = item.begin().value();
      nlohmann::json error = body.contains("error") ? body["error"] : nlohmann::json();
      refused.push_back({std::move(p), status, std::move(error), item_reason(item)});
    }
  }

  // Appends the refused documents to the dead-letter file (fsynced: the cursor may move past
  // them once this returns true), counts them and logs the batch once.
  bool dead_letter(const std::vector<Refused>& refused) {
    const Refused& first = refused.front();
    const std::string what = "count=" + std::to_string(refused.size()) +
                             " first_index=" + first.doc.index + " first_id=" + first.doc.id +
                             " status=" + std::to_string(first.status) + " reason=\"" +
                             first.reason.substr(0, 300) + "\"";
    if (spec_.dead_letter_path.empty()) {  // an output without a data directory (tests)
      stats_.rejected += refused.size();
      log_("Documents refused by Elasticsearch. " + what + ".");
      return true;
    }
    std::string lines;
    const std::string now = utc_now();
    for (const auto& r : refused) {
      auto doc = nlohmann::ordered_json::parse(r.doc.body, nullptr, false);
      nlohmann::ordered_json line = {{"@timestamp", now},  {"index", r.doc.index},
                                     {"_id", r.doc.id},    {"status", r.status},
                                     {"reason", r.reason}, {"error", r.error}};
      if (doc.is_discarded())
        line["document_text"] = r.doc.body;
      else
        line["document"] = std::move(doc);
      lines += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      lines += '\n';
    }
    std::error_code ec;
    auto parent = std::filesystem::path(spec_.dead_letter_path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    int fd =
        ::open(spec_.dead_letter_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    bool ok = fd >= 0;
    for (std::size_t off = 0; ok && off < lines.size();) {
      ssize_t n = ::write(fd, lines.data() + off, lines.size() - off);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) off += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    int saved = errno;
    if (fd >= 0) ::close(fd);
    if (!ok) {
      log_(
          "Dead-letter file not written; the cursor stays and the documents are sent again. "
          "path=" +
          spec_.dead_letter_path + " error=\"" + std::strerror(saved) + "\" " + what + ".");
      return false;
    }
    stats_.rejected += refused.size();
    log_("Documents refused by Elasticsearch, written to the dead-letter file. path=" +
         spec_.dead_letter_path + " " + what + ".");
    return true;
  }

  OutputSpec spec_;
  std::unique_ptr<ElasticsearchClient> client_;
  LogFn log_;
  mutable std::mutex mu_;
  std::vector<Pending> pending_;
  OutputStats stats_;  // the Elasticsearch counters only
};

}  // namespace

Expected<Url, std::string> parse_elasticsearch_host(std::string_view text) {
  std::string s(text);
  if (s.find("://") == std::string::npos) s = "http://" + s;  // Beats: no scheme is http
  std::string_view rest = std::string_view(s).substr(s.find("://") + 3);
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.find('@') != std::string_view::npos)
    return std::string("must not carry credentials (set username and password, or api_key)");
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    has_port = close != std::string_view::npos && close + 1 < authority.size();
    if (has_port) port = authority.substr(close + 2);
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    has_port = true;
    port = authority.substr(colon + 1);
  }
  if (has_port && port.empty())
    return std::string("has an empty port (write the port, or leave out the ':' for 9200)");
  auto u = parse_http_url(s);
  if (!u) return u.error();
  if (!has_port) u->port = 9200;  // Beats' default for Elasticsearch hosts
  return u;
}

Result<std::unique_ptr<ElasticsearchClient>> ElasticsearchClient::make(const OutputSpec& spec) {
  if (spec.hosts.empty()) return Error{"outputs.default.hosts", "is required"};
  std::unique_ptr<ElasticsearchClient> c(new ElasticsearchClient());
  for (std::size_t i = 0; i < spec.hosts.size(); ++i) {
    auto url = parse_elasticsearch_host(spec.hosts[i]);
    if (!url) return Error{"outputs.default.hosts[" + std::to_string(i) + "]", url.error()};
    Host h{url.value(), nullptr};
    if (h.url.scheme == "https") {
      auto ssl = std::make_unique<httplib::SSLClient>(h.url.host, h.url.port);
      ssl->enable_server_certificate_verification(spec.verify_certificates);
      if (!spec.certificate_authorities.empty()) {
        X509_STORE* store = X509_STORE_new();  // owned by the client's SSL_CTX from here on
        for (const auto& ca : spec.certificate_authorities) X509_STORE_load_file(store, ca.c_str());
        ssl->set_ca_cert_store(store);
      }
      h.client = std::move(ssl);
    } else {
      h.client = std::make_unique<httplib::ClientImpl>(h.url.host, h.url.port);
    }
    h.client->set_keep_alive(true);
    h.client->set_tcp_nodelay(true);
    h.client->set_connection_timeout(10, 0);
    h.client->set_read_timeout(60, 0);
    c->hosts_.push_back(std::move(h));
  }
  if (!spec.api_key.empty())
    c->auth_ = "ApiKey " + base64(spec.api_key.reveal());
  else if (!spec.username.empty())
    c->auth_ = "Basic " + base64(spec.username + ":" + spec.password.reveal());
  return c;
}

ElasticsearchClient::~ElasticsearchClient() = default;

std::string ElasticsearchClient::hosts_text() const {
  std::string out;
  for (const auto& h : hosts_) out += (out.empty() ? "" : ", ") + h.url.redacted();
  return out;
}

EsResponse ElasticsearchClient::request(const std::string& method, const std::string& path,
                                        const std::string& body, const std::string& content_type) {
  EsResponse last;
  for (std::size_t k = 0; k < hosts_.size(); ++k) {
    const std::size_t i = (current_ + k) % hosts_.size();
    Host& h = hosts_[i];
    httplib::Headers headers = {{"Accept", "application/json"}};
    if (!auth_.empty()) headers.emplace("Authorization", auth_);
    const std::string target = h.url.path + path;
    httplib::Result res = [&] {
      if (method == "PUT") return h.client->Put(target, headers, body, content_type.c_str());
      if (method == "POST") return h.client->Post(target, headers, body, content_type.c_str());
      if (method == "DELETE") return h.client->Delete(target, headers);
      return h.client->Get(target, headers);
    }();
    last = EsResponse{};
    last.host = h.url.redacted();
    if (!res) {
      last.error = httplib::to_string(res.error());
      continue;  // the next host
    }
    last.status = res->status;
    last.body = res->body;
    if (res->status >= 500) continue;
    current_ = i;
    return last;
  }
  current_ = (current_ + 1) % hosts_.size();  // start the next request on another host
  return last;
}

Result<std::unique_ptr<Output>> make_elasticsearch_output(const OutputSpec& spec, LogFn log) {
  if (spec.bulk_max_size < 1) return Error{"outputs.default.bulk_max_size", "must be at least 1"};
  auto client = ElasticsearchClient::make(spec);
  if (!client) return client.error();
  return std::unique_ptr<Output>(
      std::make_unique<ElasticsearchOutput>(spec, std::move(client.value()), std::move(log)));
}

}  // namespace misp::agent
