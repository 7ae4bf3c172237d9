#include "packaging/agent/run_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "mapping/json/write.h"
#include "packaging/agent/policy.h"
#include "plugin/poller.h"

namespace misp::agent {

namespace {

constexpr const char* kUsage = R"(Usage: misp-agent run --policy FILE [--once] [--data-dir DIR] [--check]

Polls MISP for every stream of an Elastic Agent standalone policy and writes the documents to the
policy's output (file or console), one JSON document per line. Cursors are kept in DIR/cursors and
move only after the output has the documents (fsync), so a restart resumes where delivery stopped.

  --policy FILE   the agent policy (YAML)
  --once          one complete poll of every stream, then exit (non-zero when a stream failed)
  --data-dir DIR  cursors and request traces (default: ./data)
  --check         validate the policy and exit
)";

// Stop flag and a sleep that wakes on it (SIGTERM/SIGINT).
struct Stopper {
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> stopping{false};
  bool sleep(std::int64_t ms) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping.load(); });
    return !stopping.load();
  }
  void stop() {
    stopping = true;
    cv.notify_all();
  }
};
Stopper* g_stopper = nullptr;
extern "C" void on_signal(int) {
  if (g_stopper) {
    g_stopper->stopping = true;  // notify from a signal handler is not safe; sleeps poll the flag
  }
}

// Appends lines to the output; sync() makes them durable before a cursor may move.
class Output {
 public:
  explicit Output(const OutputSpec& spec) : spec_(spec) {
    if (spec.kind == OutputSpec::Kind::kFile) {
      std::error_code ec;
      auto parent = std::filesystem::path(spec.path).parent_path();
      if (!parent.empty()) std::filesystem::create_directories(parent, ec);
      fd_ = ::open(spec.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd_ < 0) throw std::runtime_error("cannot open output " + spec.path + ": " + std::strerror(errno));
    }
  }
  ~Output() {
    if (fd_ >= 0) ::close(fd_);
  }
  void write(const std::string& line) {
    std::lock_guard<std::mutex> lock(mu_);
    buffer_ += line;
    if (buffer_.size() > (1 << 20)) flush_locked();
  }
  bool sync() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!flush_locked()) return false;
    return fd_ < 0 || ::fsync(fd_) == 0;
  }

 private:
  bool flush_locked() {
    if (spec_.kind == OutputSpec::Kind::kConsole) {
      std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
      std::fflush(stdout);
    } else {
      std::size_t off = 0;
      while (off < buffer_.size()) {
        ssize_t n = ::write(fd_, buffer_.data() + off, buffer_.size() - off);
        if (n < 0) {
          if (errno == EINTR) continue;
          return false;
        }
        off += static_cast<std::size_t>(n);
      }
    }
    buffer_.clear();
    return true;
  }

  OutputSpec spec_;
  int fd_ = -1;
  std::string buffer_;
  std::mutex mu_;
};

// temp + fsync + rename: a cursor file is either the old one or the new one, never half.
bool write_cursor(const std::filesystem::path& file, const std::string& token) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  std::string text = token + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return false;
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return false;
  int dir = ::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) ::fsync(dir), ::close(dir);
  return true;
}

std::string read_cursor(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string token;
  std::getline(in, token);
  return token;
}

std::string document_line(const plugin::Delivery& d, plugin::OutputMode mode) {
  std::string line = "{\"@metadata\":{\"_id\":";
  json::write_string(d.id, line);
  line += ",\"index\":";
  json::write_string(d.index, line);
  line += "}";
  if (mode == plugin::OutputMode::kRaw) {
    line += ",\"message\":";
    json::write_string(d.document, line);
    line += "}\n";
  } else {
    if (d.document.size() > 2) line += ',';
    line.append(d.document, 1, std::string::npos);
    line += '\n';
  }
  return line;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Runs one stream; returns true when its polls completed.
bool run_stream(StreamSpec& spec, Output& output, const std::filesystem::path& data_dir, bool once, Stopper& stopper,
                std::mutex& log_mu) {
  auto cursor_file = data_dir / "cursors" / (spec.id + ".cursor");
  if (spec.config.enable_request_tracer && spec.config.tracer_path.empty())
    spec.config.tracer_path = (data_dir / "logs" / ("http-request-trace-" + spec.id + ".ndjson")).string();
  std::string token = read_cursor(cursor_file);
  if (!plugin::valid_cursor_token(token)) {
    std::lock_guard<std::mutex> lock(log_mu);
    std::cerr << "Cursor file is unreadable; starting from initial_interval. stream=" << spec.id << ".\n";
    token.clear();
  }
  std::string delivered_cursor = token;
  std::size_t since_commit = 0;
  plugin::OutputMode mode = spec.config.output;
  auto commit = [&]() -> bool {
    if (!output.sync()) return false;
    return delivered_cursor.empty() || write_cursor(cursor_file, delivered_cursor);
  };
  plugin::Runtime runtime;
  runtime.now_ms = now_ms;
  runtime.sleep_ms = [&](std::int64_t ms) {
    // Wake at least every 200 ms to notice a signal (the handler cannot notify).
    for (std::int64_t left = ms; left > 0; left -= 200)
      if (!stopper.sleep(std::min<std::int64_t>(left, 200))) return false;
    return !stopper.stopping.load();
  };
  runtime.log = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mu);
    std::cerr << line << "\n";
  };
  plugin::Poller poller(spec.config, runtime, token, [&](const plugin::Delivery& d) {
    if (stopper.stopping) return false;
    output.write(document_line(d, mode));
    delivered_cursor = d.cursor;
    if (++since_commit >= 1000) {
      since_commit = 0;
      if (!commit()) return false;
    }
    return true;
  });
  bool ok = true;
  while (true) {
    plugin::PollStats s = poller.poll();
    if (!commit()) {
      runtime.log("Output or cursor write failed; stopping. stream=" + spec.id + ".");
      return false;
    }
    if (!s.completed) ok = false;
    if (once || stopper.stopping) break;
    ok = true;
    if (!runtime.sleep_ms(std::chrono::duration_cast<std::chrono::milliseconds>(spec.config.interval).count())) break;
  }
  return ok;
}

}  // namespace

int run_command(int argc, char** argv) {
  std::string policy_path, data_dir = "data";
  bool once = false, check = false;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << kUsage << "\nStream variables:\n";
      for (const auto& o : plugin::option_docs())
        std::cout << "  " << o.name << " (" << o.type << ", default " << o.default_value << "): " << o.description << "\n";
      return 0;
    } else if (a == "--policy" && i + 1 < argc) {
      policy_path = argv[++i];
    } else if (a == "--data-dir" && i + 1 < argc) {
      data_dir = argv[++i];
    } else if (a == "--once") {
      once = true;
    } else if (a == "--check") {
      check = true;
    } else {
      std::cerr << "misp-agent run: unknown argument '" << a << "'\n" << kUsage;
      return 2;
    }
  }
  if (policy_path.empty()) {
    std::cerr << "misp-agent run: --policy is required\n" << kUsage;
    return 2;
  }
  auto policy = load_policy(policy_path);
  if (!policy) {
    std::cerr << "misp-agent run: " << policy.error().text() << "\n";
    return 1;
  }
  if (check) {
    std::cout << "Policy is valid. streams=" << policy->streams.size() << ".\n";
    return 0;
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(data_dir) / "cursors", ec);
  if (ec) {
    std::cerr << "misp-agent run: cannot create " << data_dir << "/cursors: " << ec.message() << "\n";
    return 1;
  }
  Stopper stopper;
  g_stopper = &stopper;
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  Output output(policy->output);
  std::mutex log_mu;
  std::vector<std::thread> threads;
  std::vector<char> results(policy->streams.size(), 0);
  for (std::size_t i = 0; i < policy->streams.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        results[i] = run_stream(policy->streams[i], output, data_dir, once, stopper, log_mu);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(log_mu);
        std::cerr << "Stream failed. stream=" << policy->streams[i].id << " error=\"" << e.what() << "\".\n";
      }
    });
  }
  for (auto& t : threads) t.join();
  g_stopper = nullptr;
  bool all = std::all_of(results.begin(), results.end(), [](char r) { return r != 0; });
  return all ? 0 : 1;
}

}  // namespace misp::agent
