#include "packaging/agent/output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>

#include <nlohmann/json.hpp>

#include "packaging/agent/output_elasticsearch.h"

namespace misp::agent {

namespace {

bool write_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  return true;
}

class ConsoleOutput : public Output {
 public:
  const char* type() const override { return "console"; }

 protected:
  bool do_write(const Document& d) override {
    std::lock_guard<std::mutex> lock(mu_);
    buffer_ += document_line(d);
    return true;
  }
  bool do_sync() override {
    std::lock_guard<std::mutex> lock(mu_);
    bool ok = std::fwrite(buffer_.data(), 1, buffer_.size(), stdout) == buffer_.size() &&
              std::fflush(stdout) == 0;
    buffer_.clear();
    return ok;
  }

 private:
  std::mutex mu_;
  std::string buffer_;
};

// NDJSON file, rotated by size: path -> path.1 -> ... -> path.<keep_files>.
class FileOutput : public Output {
 public:
  explicit FileOutput(OutputSpec spec) : spec_(std::move(spec)) {}
  ~FileOutput() override {
    if (fd_ >= 0) ::close(fd_);
  }
  std::optional<Error> open() {
    std::error_code ec;
    auto parent = std::filesystem::path(spec_.path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    fd_ = ::open(spec_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return Error{"outputs.default.path", spec_.path + ": " + std::strerror(errno)};
    size_ = static_cast<std::int64_t>(std::filesystem::file_size(spec_.path, ec));
    return std::nullopt;
  }
  const char* type() const override { return "file"; }

 protected:
  bool do_write(const Document& d) override {
    std::lock_guard<std::mutex> lock(mu_);
    buffer_ += document_line(d);
    return buffer_.size() < (1 << 20) || flush_locked();
  }
  bool do_sync() override {
    std::lock_guard<std::mutex> lock(mu_);
    return flush_locked() && ::fsync(fd_) == 0;
  }

 private:
  bool flush_locked() {
    if (buffer_.empty()) return true;
    if (size_ > 0 && size_ + static_cast<std::int64_t>(buffer_.size()) > spec_.rotate_bytes &&
        !rotate_locked())
      return false;
    if (!write_all(fd_, buffer_)) return false;
    size_ += static_cast<std::int64_t>(buffer_.size());
    buffer_.clear();
    return true;
  }
  // The current file is made durable before it is renamed, so rotation never loses a line.
  bool rotate_locked() {
    if (::fsync(fd_) != 0) return false;
    ::close(fd_);
    std::error_code ec;
    for (int i = spec_.keep_files - 1; i >= 1; --i)
      std::filesystem::rename(spec_.path + "." + std::to_string(i),
                              spec_.path + "." + std::to_string(i + 1), ec);
    if (spec_.keep_files >= 1)
      std::filesystem::rename(spec_.path, spec_.path + ".1", ec);
    else
      std::filesystem::remove(spec_.path, ec);
    fd_ = ::open(spec_.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_ = 0;
    return fd_ >= 0;
  }

  OutputSpec spec_;
  int fd_ = -1;
  std::int64_t size_ = 0;
  std::string buffer_;
  std::mutex mu_;
};

}  // namespace

bool Output::write(const Document& d) {
  if (!do_write(d)) return false;
  ++documents_;
  return true;
}

bool Output::sync() {
  bool ok = do_sync();
  ++(ok ? syncs_ : failed_syncs_);
  return ok;
}

OutputStats Output::stats() const {
  OutputStats s;
  s.documents = documents_, s.syncs = syncs_, s.failed_syncs = failed_syncs_;
  add_stats(s);
  return s;
}

void append_json_string(std::string& out, std::string_view s) {
  out +=
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string document_line(const Document& d) {
  std::string line = "{\"@metadata\":{\"_id\":";
  append_json_string(line, d.id);
  line += ",\"index\":";
  append_json_string(line, d.index);
  line += "}";
  if (d.raw) {
    line += ",\"message\":";
    append_json_string(line, d.body);
    line += "}\n";
  } else {
    if (d.body.size() > 2) line += ',';
    line.append(d.body.substr(1));
    line += '\n';
  }
  return line;
}

Result<std::unique_ptr<Output>> make_output(const OutputSpec& spec, LogFn log) {
  switch (spec.kind) {
    case OutputSpec::Kind::kConsole:
      return std::unique_ptr<Output>(std::make_unique<ConsoleOutput>());
    case OutputSpec::Kind::kFile: {
      auto out = std::make_unique<FileOutput>(spec);
      if (auto err = out->open()) return *err;
      return std::unique_ptr<Output>(std::move(out));
    }
    case OutputSpec::Kind::kElasticsearch:
      return make_elasticsearch_output(spec, std::move(log));
  }
  return Error{"outputs.default.type", "unknown output"};
}

}  // namespace misp::agent
