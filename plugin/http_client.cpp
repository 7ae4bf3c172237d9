#include "plugin/http_client.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace misp::plugin {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool retryable_status(int status) {
  return status == 429 || (status >= 500 && status != 501);
}

}  // namespace

struct HttpClient::Impl {
  const Config& config;
  Runtime runtime;
  Tracer* tracer;
  std::unique_ptr<httplib::ClientImpl> client;
  std::int64_t next_request_ms = 0;
  std::mt19937_64 rng{std::random_device{}()};

  Impl(const Config& c, Runtime r, Tracer* t) : config(c), runtime(std::move(r)), tracer(t) {
    connect();
  }

  void connect() {
    const Url& u = config.url;
    if (u.scheme == "https") {
      std::unique_ptr<httplib::SSLClient> ssl;
      if (!config.ssl.certificate.empty())
        ssl = std::make_unique<httplib::SSLClient>(u.host, u.port, config.ssl.certificate,
                                                   config.ssl.key);
      else
        ssl = std::make_unique<httplib::SSLClient>(u.host, u.port);
      SSL_CTX* ctx = ssl->ssl_context();
      if (!config.ssl.supported_protocols.empty()) {
        bool v12 = std::count(config.ssl.supported_protocols.begin(),
                              config.ssl.supported_protocols.end(), "TLSv1.2");
        bool v13 = std::count(config.ssl.supported_protocols.begin(),
                              config.ssl.supported_protocols.end(), "TLSv1.3");
        SSL_CTX_set_min_proto_version(ctx, v12 ? TLS1_2_VERSION : TLS1_3_VERSION);
        SSL_CTX_set_max_proto_version(ctx, v13 ? TLS1_3_VERSION : TLS1_2_VERSION);
      }
      switch (config.ssl.verification_mode) {
        case VerificationMode::kFull:
          ssl->enable_server_certificate_verification(true);
          break;
        case VerificationMode::kCertificate:
          // Chain verified by OpenSSL during the handshake; the host name is not checked.
          ssl->enable_server_certificate_verification(false);
          SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
          if (config.ssl.certificate_authorities.empty()) SSL_CTX_set_default_verify_paths(ctx);
          break;
        case VerificationMode::kNone:
          ssl->enable_server_certificate_verification(false);
          break;
      }
      if (!config.ssl.certificate_authorities.empty()) {
        X509_STORE* store = X509_STORE_new();
        for (const auto& ca : config.ssl.certificate_authorities)
          X509_STORE_load_file(store, ca.c_str());
        if (config.ssl.verification_mode == VerificationMode::kCertificate) {
          for (const auto& ca : config.ssl.certificate_authorities)
            SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr);
          X509_STORE_free(store);
        } else {
          ssl->set_ca_cert_store(store);  // the client owns it from here
        }
      }
      client = std::move(ssl);
    } else {
      client = std::make_unique<httplib::ClientImpl>(u.host, u.port);
    }
    auto timeout = config.http_client_timeout;
    auto sec = static_cast<time_t>(timeout.count() / 1000),
         usec = static_cast<time_t>(timeout.count() % 1000 * 1000);
    client->set_connection_timeout(sec, usec);
    client->set_read_timeout(sec, usec);
    client->set_write_timeout(sec, usec);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);  // small JSON requests must not wait on delayed ACKs
    if (config.proxy_url) {
      client->set_proxy(config.proxy_url->host, config.proxy_url->port);
      if (!config.proxy_url->user.empty())
        client->set_proxy_basic_auth(config.proxy_url->user, config.proxy_url->password.reveal());
    }
  }

  // Client-side rate limit: at most http_request_rate_limit requests per second.
  bool pace() {
    if (config.http_request_rate_limit <= 0) return true;
    std::int64_t now = runtime.now_ms();
    if (next_request_ms > now && !runtime.sleep_ms(next_request_ms - now)) return false;
    next_request_ms = std::max(now, next_request_ms) +
                      static_cast<std::int64_t>(1000.0 / config.http_request_rate_limit);
    return true;
  }

  std::int64_t backoff_ms(int attempt) {
    double base = static_cast<double>(config.retry_wait_min.count()) * std::pow(2.0, attempt - 1);
    base = std::min(base, static_cast<double>(config.retry_wait_max.count()));
    std::uniform_real_distribution<double> jitter(0.5, 1.0);  // "equal jitter"
    return static_cast<std::int64_t>(base * jitter(rng));
  }
};

HttpClient::HttpClient(const Config& config, Runtime runtime, Tracer* tracer)
    : impl_(std::make_unique<Impl>(config, std::move(runtime), tracer)) {}
HttpClient::~HttpClient() = default;

void HttpClient::abort() {
  impl_->client->stop();
}

Result<HttpResponse> HttpClient::post_json(const std::string& path, const std::string& body) {
  Impl& m = *impl_;
  const Config& c = m.config;
  std::string where = c.url.redacted() + path.substr(c.url.path.size());
  Error last;
  for (int attempt = 1; attempt <= c.retry_max_attempts; ++attempt) {
    if (!m.pace()) return Error{Errc::kStopped, where, "stopping"};
    httplib::Request req;
    req.method = "POST";
    req.path = path;
    req.headers = {{"Authorization", c.api_token.reveal()},
                   {"Accept", "application/json"},
                   {"Content-Type", "application/json"},
                   {"User-Agent", "misp-input/0.1"}};
    req.body = body;
    HttpResponse out;
    bool too_large = false;
    req.response_handler = [&](const httplib::Response& r) {
      auto len = r.get_header_value("Content-Length");
      if (!len.empty() && std::stoll(len) > c.max_response_bytes) too_large = true;
      return !too_large;
    };
    req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
      if (static_cast<std::int64_t>(out.body.size() + n) > c.max_response_bytes) {
        too_large = true;
        return false;
      }
      out.body.append(data, n);
      return true;
    };
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    bool sent = m.client->send(req, res, err);
    TraceEntry trace;
    if (m.tracer) {
      trace.method = "POST";
      trace.url = where;
      trace.time_ms = m.runtime.now_ms();
      for (const auto& [k, v] : req.headers) trace.request_headers.emplace_back(k, v);
      trace.request_body = body;
    }
    if (too_large) {
      if (m.tracer) trace.error = "body over max_response_bytes", m.tracer->write(trace);
      return Error{Errc::kHttpBodyTooLarge, where,
                   "response body is larger than max_response_bytes (" +
                       std::to_string(c.max_response_bytes) + ")"};
    }
    if (!sent) {
      last = Error{Errc::kHttpTransport, where,
                   std::string("no response: ") + httplib::to_string(err)};
      if (m.tracer) trace.error = last.message, m.tracer->write(trace);
      if (err == httplib::Error::Canceled) return Error{Errc::kStopped, where, "stopping"};
    } else {
      out.status = res.status;
      for (const auto& [k, v] : res.headers) out.headers[lower(k)] = v;
      if (m.tracer) {
        trace.status = res.status;
        for (const auto& [k, v] : res.headers) trace.response_headers.emplace_back(k, v);
        trace.response_body = out.body;
        m.tracer->write(trace);
      }
      if (res.status >= 200 && res.status < 300) return out;
      last = Error{Errc::kHttpStatus, where,
                   "HTTP " + std::to_string(res.status) + ": " + out.body.substr(0, 512)};
      if (!retryable_status(res.status)) return last;
    }
    if (attempt == c.retry_max_attempts) break;
    std::int64_t wait = m.backoff_ms(attempt);
    if (sent && res.status == 429) {
      // MISP says how long until its window resets; Retry-After is the generic spelling.
      std::string reset = out.header("x-rate-limit-reset");
      if (reset.empty()) reset = out.header("retry-after");
      if (!reset.empty()) {
        try {
          wait = std::min<std::int64_t>(std::stoll(reset) * 1000, c.retry_wait_max.count());
        } catch (...) {
        }
      }
    }
    if (m.runtime.log)
      m.runtime.log("Retrying request. url=" + where + " attempt=" + std::to_string(attempt + 1) +
                    " wait_ms=" + std::to_string(wait) + " reason=\"" +
                    last.message.substr(0, 120) + "\".");
    if (!m.runtime.sleep_ms(wait)) return Error{Errc::kStopped, where, "stopping"};
  }
  return last;
}

}  // namespace misp::plugin
