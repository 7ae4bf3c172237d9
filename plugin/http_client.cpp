#include "plugin/http_client.h"

#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <mutex>
#include <random>

#include "plugin/rate_limiter.h"
#include "plugin/request_guard.h"
#include "plugin/retry_policy.h"
#include "plugin/server_text.h"

namespace misp::plugin {

namespace {

// What simdjson may read past a body's end (SIMDJSON_PADDING), kept free as bodies grow.
constexpr std::size_t kBodySlack = 64;

// Longest single sleep: abort() ends any wait within this, whatever the host's sleep does.
constexpr std::int64_t kStopSliceMs = 200;

std::string seconds_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

// The earliest OpenSSL error of this thread's queue, e.g. "wrong version number".
std::string openssl_reason() {
  unsigned long e = ERR_peek_error();
  const char* r = e ? ERR_reason_error_string(e) : nullptr;
  return r ? r : "";
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

struct HttpClient::Impl {
  const Config& config;
  Runtime runtime;
  Tracer* tracer;
  std::unique_ptr<httplib::ClientImpl> client;
  RateLimiter limiter{config.http_request_rate_limit};
  RetryPolicy retry{config.retry_max_attempts, config.retry_wait_min, config.retry_wait_max};
  std::mt19937_64 rng{std::random_device{}()};

  // abort() must not wait for cpp-httplib's socket mutex (held through connect and the TLS
  // handshake), and a stop between requests must not be lost (ClientImpl::stop() only affects a
  // socket in use). So: a sticky flag checked before every request and every sleep slice, and a
  // dup of the connection's socket, shut down from any thread to wake whatever blocks on it.
  std::atomic<bool> stopped{false};
  std::mutex socket_mu;
  int socket_dup = -1;          // guarded by socket_mu; -1 before the first connection
  bool socket_created = false;  // guarded by socket_mu; this try got an address and a socket
  std::uint64_t socket_generation = 0;  // guarded by socket_mu; one per connection
  std::vector<std::string> secrets;     // redacted from server text in our messages

  Impl(const Config& c, Runtime r, Tracer* t) : config(c), runtime(std::move(r)), tracer(t) {
    secrets = {c.api_token.reveal(), c.url.password.reveal()};
    if (c.proxy_url) secrets.push_back(c.proxy_url->password.reveal());
    connect();
  }

  RequestGuard::Socket current_socket() {
    std::lock_guard<std::mutex> lock(socket_mu);
    return {socket_dup, socket_generation};
  }
  void cut() {
    std::lock_guard<std::mutex> lock(socket_mu);
    if (socket_dup >= 0) ::shutdown(socket_dup, SHUT_RDWR);
  }
  ~Impl() {
    client.reset();
    if (socket_dup >= 0) ::close(socket_dup);
  }

  void abort() {
    stopped = true;
    std::lock_guard<std::mutex> lock(socket_mu);
    if (socket_dup >= 0) ::shutdown(socket_dup, SHUT_RDWR);
  }

  // A new connection's socket, before it connects (cpp-httplib's socket_options hook).
  void on_socket(int sock) {
    httplib::default_socket_options(sock);
    std::lock_guard<std::mutex> lock(socket_mu);
    socket_created = true;
    ++socket_generation;
    if (socket_dup >= 0) ::close(socket_dup);
    socket_dup = ::fcntl(sock, F_DUPFD_CLOEXEC, 0);
    if (stopped) ::shutdown(sock, SHUT_RDWR);
  }

  // Sleeps through the runtime in slices, so abort() ends it within kStopSliceMs.
  bool sleep(std::int64_t ms) {
    while (ms > 0) {
      if (stopped) return false;
      std::int64_t step = std::min(ms, kStopSliceMs);
      if (!runtime.sleep_ms(step)) return false;
      ms -= step;
    }
    return !stopped;
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
    client->set_socket_options([this](int sock) { on_socket(sock); });
    if (config.proxy_url) {
      client->set_proxy(config.proxy_url->host, config.proxy_url->port);
      if (!config.proxy_url->user.empty())
        client->set_proxy_basic_auth(config.proxy_url->user, config.proxy_url->password.reveal());
    }
  }

  // Client-side rate limit: at most http_request_rate_limit requests per second.
  bool pace() {
    std::int64_t wait = limiter.reserve(runtime.now_ms());
    return wait <= 0 || sleep(wait);
  }

  // What a user can act on when no response came: name, refused, timeout, TLS.
  std::string transport_message(httplib::Error err, std::chrono::milliseconds elapsed,
                                bool created) const {
    bool proxied = config.proxy_url.has_value();
    const Url& peer = proxied ? *config.proxy_url : config.url;
    std::string target = (proxied ? "proxy " : "") + peer.host + ":" + std::to_string(peer.port);
    std::string key = proxied ? "proxy_url" : "url";
    std::string timeout = seconds_text(config.http_client_timeout);
    switch (err) {
      case httplib::Error::Connection: {
        if (created)
          return "connection refused by " + target +
                 " (nothing listens there, or a firewall rejects it); check `" + key +
                 "` and that the server is up";
        addrinfo hints{}, *found = nullptr;
        hints.ai_socktype = SOCK_STREAM;
        int rc = ::getaddrinfo(peer.host.c_str(), nullptr, &hints, &found);
        if (found) ::freeaddrinfo(found);
        return "cannot resolve host name " + peer.host + " (" +
               (rc ? ::gai_strerror(rc) : "no usable address") + "); check `" + key + "`";
      }
      case httplib::Error::ConnectionTimeout:
        return "connecting to " + target + " timed out after " + timeout +
               " (http_client_timeout); check `" + key + "` and the network path";
      case httplib::Error::Read:
      case httplib::Error::Write:
        // cpp-httplib reports a read timeout as a read error: tell them apart by the time taken.
        if (elapsed + std::chrono::milliseconds(50) >= config.http_client_timeout)
          return "no response from " + target + " within " + timeout +
                 " (http_client_timeout); the server accepted the connection but did not answer";
        return "connection to " + target + " closed before a complete response (" +
               (err == httplib::Error::Read ? "read" : "write") + " failed)";
      case httplib::Error::SSLConnection: {
        std::string reason = openssl_reason();
        if (reason.find("certificate verify failed") != std::string::npos) {
          return "TLS certificate of " + target +
                 " is not trusted (certificate verify failed); check ssl.certificate_authorities "
                 "or ssl.verification_mode";
        }
        return "TLS handshake with " + target + " failed" +
               (reason.empty() ? std::string() : " (" + reason + ")") +
               "; is it an https server? check the scheme of `" + key +
               "` and ssl.supported_protocols";
      }
      case httplib::Error::SSLServerVerification: {
        long v = static_cast<const httplib::SSLClient&>(*client).get_openssl_verify_result();
        std::string why = v == X509_V_OK ? "the host name does not match the certificate"
                                         : X509_verify_cert_error_string(v);
        return "TLS certificate of " + target + " is not trusted (" + why +
               "); check ssl.certificate_authorities or ssl.verification_mode";
      }
      case httplib::Error::SSLLoadingCerts:
        return "cannot load the CA certificates; check ssl.certificate_authorities";
      default:
        return "no response: " + httplib::to_string(err);
    }
  }
};

HttpClient::HttpClient(const Config& config, Runtime runtime, Tracer* tracer)
    : impl_(std::make_unique<Impl>(config, std::move(runtime), tracer)) {}
HttpClient::~HttpClient() = default;

void HttpClient::abort() {
  impl_->abort();
}

bool HttpClient::sleep_ms(std::int64_t ms) {
  return impl_->sleep(ms);
}

namespace {

// One try: what was sent, what came back, and what stopped it early.
struct Attempt {
  httplib::Request req;
  httplib::Response res;
  HttpResponse out;
  httplib::Error err = httplib::Error::Success;
  bool sent = false, too_large = false, socket_created = false;
  std::string bad_length, thrown;  // a Content-Length that is not a number; an exception's text
  RequestGuard::Verdict guarded = RequestGuard::Verdict::kNone;
  std::chrono::milliseconds elapsed{0};
};

// What a try means: the answer, an error to stop on, or an error worth another try.
struct Judgement {
  std::optional<Result<HttpResponse>> final;
  Error retryable;
};

}  // namespace

struct HttpClient::Try {
  // The request, with limits enforced as the answer streams in.
  static void prepare(Attempt& a, const Config& c, const std::string& path,
                      const std::string& body) {
    a.req.method = "POST";
    a.req.path = path;
    a.req.headers = {{"Authorization", c.api_token.reveal()},
                     {"Accept", "application/json"},
                     {"Content-Type", "application/json"},
                     {"User-Agent", "misp-input/0.1"}};
    a.req.body = body;
    a.req.response_handler = [&a, &c](const httplib::Response& r) {
      const std::string len = r.get_header_value("Content-Length");
      if (len.empty()) return true;
      std::uint64_t n = 0;
      auto parsed = std::from_chars(len.data(), len.data() + len.size(), n);
      if (parsed.ec != std::errc() || parsed.ptr != len.data() + len.size()) {
        a.bad_length = len;
        return false;
      }
      a.too_large = n > static_cast<std::uint64_t>(c.max_response_bytes);
      return !a.too_large;
    };
    a.req.content_receiver = [&a, &c](const char* data, size_t n, uint64_t, uint64_t) {
      if (static_cast<std::int64_t>(a.out.body.size() + n) > c.max_response_bytes) {
        a.too_large = true;
        return false;
      }
      // Grow with room for the 64 bytes simdjson reads past the end, so the decoder reads the
      // body where it is instead of copying a whole page to make that room.
      std::string& body = a.out.body;
      if (body.capacity() < body.size() + n + kBodySlack)
        body.reserve(std::max(body.capacity() * 2, body.size() + n + kBodySlack));
      body.append(data, n);
      return true;
    };
  }

  // Sends under a guard: an overall deadline and a cap on every byte read, headers included
  // (the slack covers framing and TLS records).
  static void send(HttpClient::Impl& m, Attempt& a) {
    const Config& c = m.config;
    {
      std::lock_guard<std::mutex> lock(m.socket_mu);
      m.socket_created = false;
    }
    ERR_clear_error();  // so a TLS failure's reason is this request's
    if (m.runtime.on_request) m.runtime.on_request();
    auto started = std::chrono::steady_clock::now();
    {
      RequestGuard guard(
          c.http_client_timeout, c.max_response_bytes + c.max_response_bytes / 16 + (1 << 20),
          [&m] { return m.current_socket(); }, [&m] { m.cut(); });
      try {
        a.sent = m.client->send(a.req, a.res, a.err);
      } catch (const std::exception& e) {  // cpp-httplib parsing what a hostile server sent
        a.thrown = e.what();
      }
      a.guarded = guard.verdict();
    }
    a.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    std::lock_guard<std::mutex> lock(m.socket_mu);
    a.socket_created = m.socket_created;
    if (a.guarded == RequestGuard::Verdict::kTooLarge) a.too_large = true;
    if (a.sent) {
      a.out.status = a.res.status;
      for (const auto& [k, v] : a.res.headers) a.out.headers[lower(k)] = v;
    }
  }

  static Judgement judge(HttpClient::Impl& m, const Attempt& a, const std::string& where) {
    const Config& c = m.config;
    if (a.too_large)
      return {Error{Errc::kHttpBodyTooLarge, where,
                    "response is larger than max_response_bytes (" +
                        std::to_string(c.max_response_bytes) + ", headers included)"},
              {}};
    if (!a.sent && !a.bad_length.empty())  // a server that says this will say it again
      return {
          Error{Errc::kHttpTransport, where,
                "malformed response: Content-Length is '" + server_text(a.bad_length, 40) + "'"},
          {}};
    if (!a.sent && (m.stopped || a.err == httplib::Error::Canceled))
      return {Error{Errc::kStopped, where, "stopping"}, {}};
    if (!a.sent) {
      std::string why = m.transport_message(a.err, a.elapsed, a.socket_created);
      if (a.guarded == RequestGuard::Verdict::kDeadline)
        why = "no complete response within " + seconds_text(c.http_client_timeout) +
              " (http_client_timeout covers the whole request; the server is too slow or "
              "sends its answer a little at a time)";
      else if (!a.thrown.empty())
        why = "malformed response (" + server_text(a.thrown, 80) + ")";
      return {std::nullopt, Error{Errc::kHttpTransport, where, why}};
    }
    if (a.res.status >= 200 && a.res.status < 300) return {a.out, {}};
    std::string hint;
    if (a.res.status == 404)
      hint =
          " (nothing at this URL: check `url`, MISP's base URL such as "
          "https://misp.example.org, without /events or /attributes)";
    Error e{Errc::kHttpStatus, where,
            "HTTP " + std::to_string(a.res.status) + hint + ": " +
                server_text(a.out.body, 512, m.secrets)};
    if (!RetryPolicy::retryable_status(a.res.status)) return {e, {}};
    return {std::nullopt, e};
  }

  static void trace(HttpClient::Impl& m, const Attempt& a, const std::string& where,
                    const Judgement& j) {
    if (!m.tracer) return;
    TraceEntry t;
    t.method = "POST";
    t.url = where;
    t.time_ms = m.runtime.now_ms();
    for (const auto& [k, v] : a.req.headers) t.request_headers.emplace_back(k, v);
    t.request_body = a.req.body;
    if (a.sent && !a.too_large) {
      t.status = a.res.status;
      for (const auto& [k, v] : a.res.headers) t.response_headers.emplace_back(k, v);
      t.response_body = a.out.body;
    } else {
      t.error = j.final && !j.final->ok() ? j.final->error().message : j.retryable.message;
    }
    m.tracer->write(t);
  }
};

Result<HttpResponse> HttpClient::post_json(const std::string& path, const std::string& body) {
  Impl& m = *impl_;
  const std::string where = m.config.url.redacted() + path.substr(m.config.url.path.size());
  Error last;
  for (int attempt = 1; attempt <= m.retry.max_attempts; ++attempt) {
    if (m.stopped || !m.pace() || m.stopped) return Error{Errc::kStopped, where, "stopping"};
    Attempt a;
    Try::prepare(a, m.config, path, body);
    Try::send(m, a);
    Judgement j = Try::judge(m, a, where);
    Try::trace(m, a, where, j);
    if (j.final) return std::move(*j.final);
    last = std::move(j.retryable);
    if (attempt == m.retry.max_attempts) break;
    std::int64_t wait = m.retry.backoff_ms(attempt, m.rng);
    if (a.sent && a.res.status == 429) {
      // MISP says how long until its window resets; Retry-After is the generic spelling.
      std::string reset = a.out.header("x-rate-limit-reset");
      if (reset.empty()) reset = a.out.header("retry-after");
      wait = m.retry.reset_wait_ms(reset).value_or(wait);
    }
    m.runtime.log(LogLevel::kWarn, "Retrying request. url=" + where +
                                       " attempt=" + std::to_string(attempt + 1) +
                                       " wait_ms=" + std::to_string(wait) + " reason=\"" +
                                       last.message.substr(0, 120) + "\".");
    if (!m.sleep(wait)) return Error{Errc::kStopped, where, "stopping"};
  }
  return last;
}

}  // namespace misp::plugin
