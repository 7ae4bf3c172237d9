#include "plugin/host.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace misp::plugin {

Result<Host> Host::copy(const misp_input_host* in, HostUse use) {
  // The 1.0 struct ends with now_ms; everything up to wait is required of any host.
  if (!in || in->struct_size < offsetof(misp_input_host, now_ms))
    return Error{Errc::kAbiArgument, "host", "is NULL or shorter than ABI 1.0's"};
  Host h;
  std::memcpy(&h.h_, in, std::min<std::size_t>(in->struct_size, sizeof(misp_input_host)));
  h.h_.struct_size = static_cast<std::uint32_t>(sizeof(misp_input_host));  // the rest is zero
  if (!h.h_.emit) return Error{Errc::kAbiArgument, "host.emit", "is NULL"};
  if (use == HostUse::kRun && !h.h_.wait) return Error{Errc::kAbiArgument, "host.wait", "is NULL"};
  if (h.h_.stream_id) h.stream_id_.assign(h.h_.stream_id, h.h_.stream_id_len);
  if (h.h_.data_dir) h.data_dir_.assign(h.h_.data_dir, h.h_.data_dir_len);
  h.h_.stream_id = nullptr, h.h_.data_dir = nullptr;  // copied: the host's may go away
  return h;
}

void Host::log(LogLevel level, const std::string& line) const {
  if (h_.log) h_.log(h_.host_data, static_cast<std::int32_t>(level), line.data(), line.size());
}

void Host::error(const Error& e) const {
  if (!h_.error) return;
  misp_input_error abi = to_abi(e);
  h_.error(h_.host_data, &abi);
}

void Host::report(const Error& e) const {
  if (h_.error)
    error(e);
  else
    log(LogLevel::kError, e.text() + ".");
}

void Host::fail(const std::string& what, const Error& e) const {
  log(LogLevel::kError, what + " error_code=" + std::to_string(static_cast<int>(e.code)) +
                            " error_type=" + to_string(e.code) + " error=\"" + e.text() + "\".");
  error(e);
}

bool Host::emit(const misp_input_event& event) const {
  return h_.emit(h_.host_data, &event) == 0;
}

bool Host::wait(std::int64_t ms) const {
  return h_.wait(h_.host_data, ms) != 0;
}

std::int64_t Host::now_ms() const {
  if (h_.now_ms) return h_.now_ms(h_.host_data);
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

LogSink Host::sink() const {
  return LogSink([h = h_](LogLevel level, const std::string& line) {
    if (h.log) h.log(h.host_data, static_cast<std::int32_t>(level), line.data(), line.size());
  });
}

misp_input_error to_abi(const Error& e) {
  misp_input_error abi{};
  abi.struct_size = sizeof abi;
  abi.code = static_cast<std::int32_t>(e.code);
  abi.name = to_string(e.code);
  abi.where = e.where.data(), abi.where_len = e.where.size();
  abi.message = e.message.data(), abi.message_len = e.message.size();
  return abi;
}

}  // namespace misp::plugin
