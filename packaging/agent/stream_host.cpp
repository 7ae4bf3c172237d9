#include "packaging/agent/stream_host.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

namespace misp::agent {

namespace {

// temp + fsync + rename: a cursor file is either the old one or the new one, never half.
// Returns why it failed ("" when it did not), naming the file.
std::string write_cursor(const std::filesystem::path& file, const std::string& token) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  auto why = [](const std::filesystem::path& p, const std::string& step) {
    return p.string() + ": " + step + ": " + std::strerror(errno);
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return why(tmp, "open");
  std::string text = token + "\n";
  const ssize_t n = ::write(fd, text.data(), text.size());
  if (n != static_cast<ssize_t>(text.size())) {
    if (n >= 0) errno = ENOSPC;  // a short write to a regular file: the disk is full
    std::string e = why(tmp, "write");
    ::close(fd);
    return e;
  }
  if (::fsync(fd) != 0) {
    std::string e = why(tmp, "fsync");
    ::close(fd);
    return e;
  }
  ::close(fd);
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return tmp.string() + ": rename to " + file.filename().string() + ": " + ec.message();
  int dir = ::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) ::fsync(dir), ::close(dir);
  return {};
}

// The stored cursor: the file's first line, as stored (the plugin judges it); "" when there is no
// file. A file that is there but cannot be read fills `why` instead: starting over from
// initial_interval in silence would re-deliver everything.
std::string read_cursor(const std::filesystem::path& file, std::string& why) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) why = file.string() + ": " + std::strerror(errno);
    return {};
  }
  std::string token;
  char buf[512];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) why = file.string() + ": " + std::strerror(errno);
    if (n <= 0) break;
    token.append(buf, static_cast<std::size_t>(n));
    if (token.find('\n') != std::string::npos || token.size() > 4096) break;
  }
  ::close(fd);
  return token.substr(0, token.find('\n'));
}

// What the plugin calls back into, for one stream. Cursors are opaque: stored as emitted.
struct StreamHost {
  StreamContext* ctx = nullptr;
  std::string id;
  std::filesystem::path cursor_file;
  misp_input_instance* instance = nullptr;
  std::string delivered_cursor;  // of the newest document written to the output
  std::size_t since_commit = 0;
  bool dirty = false;      // documents written since the last commit
  bool failed = false;     // the output or the cursor file failed: stop the stream
  std::string failure;     // what failed, for the log line that stops the stream
  std::string error_code;  // of the plugin's last reported error (ABI 1.1)

  bool output_failed() {
    const std::string why = ctx->output.error();
    failure = std::string("Output failed. output=") + ctx->output.type() + " error=\"" +
              (why.empty() ? "the output refused the documents" : why) + "\".";
    return false;
  }

  // Output first (fsync), then the cursor file (atomic), then tell the plugin. Nothing to do
  // when nothing was written since (the plugin waits in short slices).
  bool commit() {
    if (!dirty) return true;
    if (!ctx->output.sync()) return output_failed();
    if (!delivered_cursor.empty()) {
      if (auto why = write_cursor(cursor_file, delivered_cursor); !why.empty()) {
        failure = "Cursor file write failed; the cursor stays where it was. error=\"" + why + "\".";
        return false;
      }
      const misp_input_plugin& p = ctx->plugin.table();
      if (p.committed) p.committed(instance, delivered_cursor.data(), delivered_cursor.size());
    }
    dirty = false;
    return true;
  }

  void say(const std::string& line) {
    std::lock_guard<std::mutex> lock(ctx->log_mu);
    std::cerr << line << " stream_id=" << id << "\n";
  }

  static void log(void* data, int32_t level, const char* msg, size_t len) noexcept {
    try {
      const char* prefix = level == MISP_INPUT_LOG_ERROR  ? "ERROR "
                           : level == MISP_INPUT_LOG_WARN ? "WARN "
                                                          : "";
      static_cast<StreamHost*>(data)->say(prefix + std::string(msg, len));
    } catch (...) {
    }
  }
  static void error(void* data, const misp_input_error* e) noexcept {
    try {
      static_cast<StreamHost*>(data)->error_code =
          std::to_string(e->code) + " (" + (e->name ? e->name : "") + ")";
    } catch (...) {
    }
  }
  static int32_t emit(void* data, const misp_input_event* e) noexcept {
    auto* h = static_cast<StreamHost*>(data);
    try {
      return h->accept(*e) ? 0 : 1;
    } catch (const std::exception& ex) {
      h->say(std::string("ERROR Output failed. error=\"") + ex.what() + "\".");
    } catch (...) {
    }
    h->failed = true;
    return 1;
  }
  static int32_t wait(void* data, int64_t ms) noexcept {
    auto* h = static_cast<StreamHost*>(data);
    try {
      // Commit at every pause between polls, so an idle agent has everything durable.
      if (!h->commit()) return h->failed = true, 0;
      // One sleep: the signal watcher wakes it (Stopper::stop notifies) before request_stop().
      return h->ctx->stopper.sleep(ms) ? 1 : 0;
    } catch (...) {
      h->failed = true;
      return 0;
    }
  }

  bool accept(const misp_input_event& e) {
    if (ctx->stopper.stopping || failed) return false;
    bool raw =
        MISP_INPUT_HAS_FIELD(&e, misp_input_event, format) && e.format == MISP_INPUT_FORMAT_RAW;
    Document d{{e.index, e.index_len}, {e.id, e.id_len}, {e.document, e.document_len}, raw};
    if (!ctx->output.write(d)) return output_failed(), failed = true, false;
    dirty = true;
    delivered_cursor.assign(e.cursor, e.cursor_len);
    if (++since_commit >= 1000) {
      since_commit = 0;
      if (!commit()) return failed = true, false;
    }
    return true;
  }

  misp_input_host abi() {
    misp_input_host h{};
    h.struct_size = sizeof h;
    h.abi_major = MISP_INPUT_ABI_MAJOR;
    h.abi_minor = MISP_INPUT_ABI_MINOR;
    h.host_data = this;
    h.log = &StreamHost::log;
    h.emit = &StreamHost::emit;
    h.wait = &StreamHost::wait;
    h.stream_id = id.data(), h.stream_id_len = id.size();
    const std::string& dir = ctx->data_dir.native();
    h.data_dir = dir.data(), h.data_dir_len = dir.size();
    h.error = &StreamHost::error;
    h.flags = MISP_INPUT_HOST_WAIT_WAKES_ON_STOP;
    return h;
  }
};

}  // namespace

bool Stopper::sleep(std::int64_t ms) {
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping.load(); });
  return !stopping.load();
}

void Stopper::stop() {
  stopping = true;
  cv.notify_all();
}

void Running::add(misp_input_instance* inst, const std::string& stream_id) {
  std::lock_guard<std::mutex> lock(mu_);
  running_[inst] = stream_id;
}

void Running::remove(misp_input_instance* inst) {
  std::lock_guard<std::mutex> lock(mu_);
  running_.erase(inst);
}

void Running::for_each(const std::function<void(misp_input_instance*, const std::string&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [inst, id] : running_) fn(inst, id);
}

bool run_stream(const StreamSpec& spec, StreamContext& ctx) {
  const misp_input_plugin& p = ctx.plugin.table();
  StreamHost host;
  host.ctx = &ctx;
  host.id = spec.id;
  host.cursor_file = ctx.data_dir / "cursors" / (spec.id + ".cursor");
  // Cursors are the plugin's: it reads old formats and refuses damaged ones with a message
  // (the stream then fails), so a bad file never silently restarts from initial_interval.
  std::string unreadable;
  const std::string token = read_cursor(host.cursor_file, unreadable);
  if (!unreadable.empty()) {
    host.say("ERROR Stream not started: its cursor file cannot be read. error=\"" + unreadable +
             "\".");
    return false;
  }
  const misp_input_host h = host.abi();
  char err[1024] = "";
  if (p.create(&h, spec.dataset.c_str(), spec.config_yaml.data(), spec.config_yaml.size(),
               token.data(), token.size(), &host.instance, err, sizeof err) != MISP_INPUT_OK) {
    host.say("Stream not started." +
             (host.error_code.empty() ? "" : " error_code=" + host.error_code) + " error=\"" + err +
             "\".");
    return false;
  }
  ctx.running.add(host.instance, spec.id);
  int32_t rc = p.run(host.instance, ctx.once ? 1 : 0);
  bool committed = host.commit() && !host.failed;
  ctx.running.remove(host.instance);
  p.destroy(host.instance);
  if (!committed) {
    host.say("ERROR " +
             (host.failure.empty() ? std::string("Output or cursor write failed.") : host.failure));
    return false;
  }
  return rc == MISP_INPUT_OK || (rc == MISP_INPUT_STOPPED && !ctx.once);
}

}  // namespace misp::agent
