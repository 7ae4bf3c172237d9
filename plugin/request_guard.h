// Limits one HTTP request as a whole, which cpp-httplib cannot: its timeouts are per read (a server
// dripping a byte a second never trips them) and it buffers response headers without bound. A
// guard thread watches the request in flight and cuts its connection when the request outlives its
// deadline or when the server has sent more bytes (headers included) than allowed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace misp::plugin {

class RequestGuard {
 public:
  enum class Verdict { kNone, kDeadline, kTooLarge };

  struct Socket {
    int fd = -1;                   // a dup the caller keeps; -1 before a connection exists
    std::uint64_t generation = 0;  // changes with every new connection
  };
  // socket(): the connection's socket; it may change during the request (a new connection).
  // cut(): wakes whatever blocks on the socket.
  RequestGuard(std::chrono::milliseconds deadline, std::int64_t max_bytes,
               std::function<Socket()> socket, std::function<void()> cut);
  ~RequestGuard();
  RequestGuard(const RequestGuard&) = delete;
  RequestGuard& operator=(const RequestGuard&) = delete;

  Verdict verdict() const { return verdict_; }

 private:
  void watch();

  std::chrono::steady_clock::time_point deadline_;
  std::int64_t max_bytes_;
  std::function<Socket()> socket_;
  std::function<void()> cut_;
  std::atomic<Verdict> verdict_{Verdict::kNone};
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Bytes the kernel has received on a TCP socket over its life (0 when unknown).
std::int64_t tcp_bytes_received(int socket);

}  // namespace misp::plugin
