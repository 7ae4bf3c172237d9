#include "plugin/request_guard.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace misp::plugin {

namespace {
constexpr std::chrono::milliseconds kTick{10};
}

std::int64_t tcp_bytes_received(int socket) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (socket < 0 || ::getsockopt(socket, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return 0;
  if (len < offsetof(tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received) return 0;
  return static_cast<std::int64_t>(info.tcpi_bytes_received);
}

RequestGuard::RequestGuard(std::chrono::milliseconds deadline, std::int64_t max_bytes,
                           std::function<Socket()> socket, std::function<void()> cut)
    : deadline_(std::chrono::steady_clock::now() + deadline),
      max_bytes_(max_bytes),
      socket_(std::move(socket)),
      cut_(std::move(cut)),
      thread_([this] { watch(); }) {}

RequestGuard::~RequestGuard() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void RequestGuard::watch() {
  // A kept-alive connection has received bytes before this request: count from here. A new
  // connection made during the request starts from zero.
  Socket sock = socket_();
  std::int64_t base = tcp_bytes_received(sock.fd);
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, kTick, [this] { return done_; })) {
    if (std::chrono::steady_clock::now() >= deadline_) {
      verdict_ = Verdict::kDeadline;
      cut_();
      return;
    }
    Socket now = socket_();
    if (now.generation != sock.generation) sock = now, base = 0;
    if (tcp_bytes_received(sock.fd) - base > max_bytes_) {
      verdict_ = Verdict::kTooLarge;
      cut_();
      return;
    }
  }
}

}  // namespace misp::plugin
