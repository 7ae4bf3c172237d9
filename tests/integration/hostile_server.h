// A server on loopback that answers every HTTP request with whatever bytes a test scripts: broken
// headers, endless headers, one byte a second. What the MISP emulator, being a correct HTTP server,
// cannot send.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace misp::test {

class HostileServer {
 public:
  // respond(fd) writes the answer to one request (already read) and returns; the connection is
  // closed after it. send_all() returns false once the client has gone.
  explicit HostileServer(std::function<void(int fd)> respond) : respond_(std::move(respond)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 8);
    thread_ = std::thread([this] { serve(); });
  }
  ~HostileServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::int64_t bytes_sent() const { return sent_; }

  // Writes all of s; false when the peer is gone.
  bool send_all(int fd, const std::string& s) {
    std::size_t off = 0;
    while (off < s.size() && !stop_) {
      ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
      sent_ += n;
    }
    return off == s.size();
  }

 private:
  void serve() {
    while (!stop_) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      // A client that cut the connection may leave our sends blocked: give up after a second.
      timeval one_second{1, 0};
      ::setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &one_second, sizeof one_second);
      read_request(c);
      respond_(c);
      ::close(c);
    }
  }
  // Reads up to the end of the headers and then Content-Length bytes of body.
  static void read_request(int c) {
    std::string in;
    char buf[4096];
    std::size_t body_at = std::string::npos, length = 0;
    while (body_at == std::string::npos || in.size() < body_at + length) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
      if (body_at == std::string::npos && (body_at = in.find("\r\n\r\n")) != std::string::npos) {
        body_at += 4;
        auto h = in.find("Content-Length: ");
        if (h != std::string::npos && h < body_at) length = std::stoul(in.substr(h + 16));
      }
    }
  }

  std::function<void(int)> respond_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> sent_{0};
  std::thread thread_;
};

}  // namespace misp::test
