#include "packaging/agent/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>

#include <nlohmann/json.hpp>

#include "packaging/agent/output_elasticsearch.h"

namespace misp::agent {

namespace {

// Writes all of data; on failure returns errno's text and how many bytes went out.
bool write_all(int fd, const std::string& data, std::size_t& written) {
  written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return errno = EIO, false;
    written += static_cast<std::size_t>(n);
  }
  return true;
}

// The offset just past the last '\n' of a regular file of `size` bytes (0 when it has none).
std::optional<off_t> end_of_last_line(int fd, off_t size) {
  char buf[4096];
  for (off_t end = size; end > 0;) {
    const off_t start =
        end > static_cast<off_t>(sizeof buf) ? end - static_cast<off_t>(sizeof buf) : 0;
    const auto len = static_cast<std::size_t>(end - start);
    if (::pread(fd, buf, len, start) != static_cast<ssize_t>(len)) return std::nullopt;
    for (std::size_t i = len; i > 0; --i)
      if (buf[i - 1] == '\n') return start + static_cast<off_t>(i);
    end = start;
  }
  return 0;
}

class ConsoleOutput : public Output {
 public:
  const char* type() const override { return "console"; }

 protected:
  bool do_write(const Document& d) override {
    std::lock_guard<std::mutex> lock(mu_);
    append_document_line(d, buffer_);
    return true;
  }
  bool do_sync() override {
    std::lock_guard<std::mutex> lock(mu_);
    bool ok = std::fwrite(buffer_.data(), 1, buffer_.size(), stdout) == buffer_.size() &&
              std::fflush(stdout) == 0;
    if (!ok) set_error(std::string("stdout: ") + std::strerror(errno));
    buffer_.clear();
    return ok;
  }

 private:
  std::mutex mu_;
  std::string buffer_;
};

// NDJSON file, rotated by size: path -> path.1 -> ... -> path.<keep_files>. A line is either
// whole in the file or not there at all: a write that fails part way (disk full, a file size
// limit) is cut back off, and a torn last line left by a crash is cut off when the file is
// opened, before anything is appended. Its documents were never committed, so they come again.
class FileOutput : public Output {
 public:
  FileOutput(OutputSpec spec, LogFn log) : spec_(std::move(spec)), log_(std::move(log)) {}
  ~FileOutput() override {
    if (fd_ >= 0) ::close(fd_);
  }
  std::optional<Error> open() {
    // Under a file size limit (ulimit -f) a write past it raises SIGXFSZ, which kills the
    // process mid-line; ignored, the write fails with EFBIG and the stream says so.
    std::signal(SIGXFSZ, SIG_IGN);
    std::error_code ec;
    auto parent = std::filesystem::path(spec_.path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    fd_ = ::open(spec_.path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) fd_ = ::open(spec_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return Error{"outputs.default.path", spec_.path + ": " + std::strerror(errno)};
    if (auto why = cut_torn_tail()) return Error{"outputs.default.path", *why};
    return std::nullopt;
  }
  const char* type() const override { return "file"; }

 protected:
  bool do_write(const Document& d) override {
    std::lock_guard<std::mutex> lock(mu_);
    append_document_line(d, buffer_);
    return buffer_.size() < (1 << 20) || flush_locked();
  }
  bool do_sync() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!flush_locked()) return false;
    if (::fsync(fd_) != 0) return fail(std::string("fsync: ") + std::strerror(errno));
    return true;
  }

 private:
  bool fail(const std::string& what) {
    set_error(spec_.path + ": " + what);
    return false;
  }

  // A regular file whose last byte is not '\n' ends in a line a crash or a failed write cut
  // short: truncated back to its last whole line. Other files (a device, a pipe) are left alone.
  std::optional<std::string> cut_torn_tail() {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return spec_.path + ": " + std::strerror(errno);
    regular_ = S_ISREG(st.st_mode);
    size_ = regular_ ? static_cast<std::int64_t>(st.st_size) : 0;
    if (!regular_ || st.st_size == 0) return std::nullopt;
    auto keep = end_of_last_line(fd_, st.st_size);
    if (!keep) return spec_.path + ": cannot read its last line: " + std::strerror(errno);
    if (*keep == st.st_size) return std::nullopt;
    if (::ftruncate(fd_, *keep) != 0)
      return spec_.path + ": cannot cut the partial line at its end: " + std::strerror(errno);
    if (log_)
      log_("WARN Output file ended in a partial line (" + std::to_string(st.st_size - *keep) +
           " bytes a crash or a failed write left); cut off before appending, its documents are "
           "delivered again. path=" +
           spec_.path + ".");
    size_ = static_cast<std::int64_t>(*keep);
    return std::nullopt;
  }

  bool flush_locked() {
    if (buffer_.empty()) return true;
    if (size_ > 0 && size_ + static_cast<std::int64_t>(buffer_.size()) > spec_.rotate_bytes &&
        !rotate_locked())
      return false;
    std::size_t written = 0;
    if (!write_all(fd_, buffer_, written)) {
      const int err = errno;
      std::string what = "write: " + std::string(std::strerror(err)) + " (" +
                         std::to_string(written) + " of " + std::to_string(buffer_.size()) +
                         " bytes written";
      // Cut back what went out, so no partial line stays to be glued to the next document.
      if (written > 0 && regular_) {
        if (::ftruncate(fd_, static_cast<off_t>(size_)) == 0)
          what += ", cut off again";
        else
          what += std::string(", cannot cut them off: ") + std::strerror(errno);
      }
      return fail(what + ")");
    }
    size_ += static_cast<std::int64_t>(buffer_.size());
    buffer_.clear();
    return true;
  }
  // The current file is made durable before it is renamed, so rotation never loses a line.
  bool rotate_locked() {
    if (::fsync(fd_) != 0)
      return fail(std::string("fsync before rotation: ") + std::strerror(errno));
    ::close(fd_);
    std::error_code ec;
    for (int i = spec_.keep_files - 1; i >= 1; --i)
      std::filesystem::rename(spec_.path + "." + std::to_string(i),
                              spec_.path + "." + std::to_string(i + 1), ec);
    if (spec_.keep_files >= 1)
      std::filesystem::rename(spec_.path, spec_.path + ".1", ec);
    else
      std::filesystem::remove(spec_.path, ec);
    fd_ = ::open(spec_.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    size_ = 0;
    if (fd_ < 0) return fail(std::string("open after rotation: ") + std::strerror(errno));
    return true;
  }

  OutputSpec spec_;
  LogFn log_;
  int fd_ = -1;
  bool regular_ = true;
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

std::string Output::error() const {
  std::lock_guard<std::mutex> lock(error_mu_);
  return error_;
}

void Output::set_error(std::string why) {
  std::lock_guard<std::mutex> lock(error_mu_);
  error_ = std::move(why);
}

OutputStats Output::stats() const {
  OutputStats s;
  s.documents = documents_, s.syncs = syncs_, s.failed_syncs = failed_syncs_;
  add_stats(s);
  return s;
}

void append_json_string(std::string& out, std::string_view s) {
  // _id and index names are plain ASCII: copy those as they are (once per document), and leave
  // anything that needs escaping (or is not valid UTF-8) to nlohmann.
  bool plain = true;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  out +=
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string document_line(const Document& d) {
  std::string line;
  append_document_line(d, line);
  return line;
}

void append_document_line(const Document& d, std::string& line) {
  if (line.empty()) line.reserve(d.body.size() + d.id.size() + d.index.size() + 48);
  line += "{\"@metadata\":{\"_id\":";
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
}

Result<std::unique_ptr<Output>> make_output(const OutputSpec& spec, LogFn log) {
  switch (spec.kind) {
    case OutputSpec::Kind::kConsole:
      return std::unique_ptr<Output>(std::make_unique<ConsoleOutput>());
    case OutputSpec::Kind::kFile: {
      auto out = std::make_unique<FileOutput>(spec, log);
      if (auto err = out->open()) return *err;
      return std::unique_ptr<Output>(std::move(out));
    }
    case OutputSpec::Kind::kElasticsearch:
      return make_elasticsearch_output(spec, std::move(log));
  }
  return Error{"outputs.default.type", "unknown output"};
}

}  // namespace misp::agent
