#include "plugin/tracer.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "mapping/es/date.h"
#include "mapping/json/write.h"

namespace misp::plugin {

namespace {

bool iequals(const std::string& a, const char* b) {
  std::string_view bv(b);
  return a.size() == bv.size() && std::equal(a.begin(), a.end(), bv.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == y;
         });
}

constexpr std::size_t kMaxBodyBytes = 64 * 1024;  // a trace line keeps the head of a body

}  // namespace

Tracer::Tracer(std::string path, std::vector<std::string> secrets, std::int64_t max_bytes,
               int max_backups)
    : path_(std::move(path)), max_bytes_(max_bytes), max_backups_(max_backups) {
  for (auto& s : secrets)
    if (!s.empty()) secrets_.push_back(std::move(s));
  std::error_code ec;
  auto parent = std::filesystem::path(path_).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  out_.open(path_, std::ios::app);
  written_ = static_cast<std::int64_t>(
      std::filesystem::exists(path_, ec) ? std::filesystem::file_size(path_, ec) : 0);
}

std::string Tracer::redact(std::string text) const {
  for (const auto& s : secrets_) {
    for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos))
      text.replace(pos, s.size(), "<redacted>");
  }
  return text;
}

void Tracer::rotate() {
  out_.close();
  std::error_code ec;
  for (int i = max_backups_ - 1; i >= 1; --i)
    std::filesystem::rename(path_ + "." + std::to_string(i), path_ + "." + std::to_string(i + 1),
                            ec);
  std::filesystem::rename(path_, path_ + ".1", ec);
  out_.open(path_, std::ios::trunc);
  written_ = 0;
}

void Tracer::write(const TraceEntry& e) {
  std::string line = "{\"@timestamp\":";
  json::write_string(mapping::es::format_millis(e.time_ms), line);
  auto field = [&](const char* name, const std::string& value) {
    line += ",\"";
    line += name;
    line += "\":";
    json::write_string(redact(value), line);
  };
  auto headers = [&](const char* name, const std::vector<std::pair<std::string, std::string>>& hs) {
    line += ",\"";
    line += name;
    line += "\":{";
    bool first = true;
    for (const auto& [k, v] : hs) {
      if (!first) line += ',';
      first = false;
      json::write_string(k, line);
      line += ':';
      bool secret = iequals(k, "authorization") || iequals(k, "proxy-authorization") ||
                    iequals(k, "x-misp-auth");
      json::write_string(secret ? std::string("<redacted>") : redact(v), line);
    }
    line += '}';
  };
  field("http.request.method", e.method);
  field("url.original", e.url);
  headers("http.request.headers", e.request_headers);
  field("http.request.body", e.request_body.substr(0, kMaxBodyBytes));
  line += ",\"http.response.status_code\":" + std::to_string(e.status);
  headers("http.response.headers", e.response_headers);
  field("http.response.body", e.response_body.substr(0, kMaxBodyBytes));
  if (!e.error.empty()) field("error.message", e.error);
  line += "}\n";
  std::lock_guard<std::mutex> lock(mu_);
  if (written_ + static_cast<std::int64_t>(line.size()) > max_bytes_ && written_ > 0) rotate();
  out_ << line;
  out_.flush();
  written_ += static_cast<std::int64_t>(line.size());
}

}  // namespace misp::plugin
