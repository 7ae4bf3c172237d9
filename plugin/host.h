// The host's side of the C ABI as the plugin uses it: a copy of misp_input_host that reads only
// the fields the host's struct_size covers (a 1.0 host has no stream_id, data_dir or error), and
// calls that never let a missing optional callback or a C++ exception reach the host.
#pragma once

#include <cstdint>
#include <string>

#include "abi/misp_input.h"
#include "plugin/log.h"
#include "plugin/result.h"

namespace misp::plugin {

enum class HostUse { kRun, kMap };  // create() needs wait(); map() does not

class Host {
 public:
  // The host struct, copied up to its struct_size; an Error (kAbiArgument) when it is NULL,
  // too short, or lacks the callbacks `use` needs.
  static Result<Host> copy(const misp_input_host* in, HostUse use);

  void log(LogLevel level, const std::string& line) const;
  // The error with its code to the host's error() (ABI 1.1), when it has one.
  void error(const Error& e) const;
  // To error() when the host has it, else as an ERROR line "<where>: <message>."
  void report(const Error& e) const;
  // To error(), after an ERROR line "<what> error_code=N error_type=name error=\"...\"."
  void fail(const std::string& what, const Error& e) const;
  bool emit(const misp_input_event& event) const;  // false: the host is stopping
  bool wait(std::int64_t ms) const;                // false: woke because it is stopping
  // ABI 1.2: the host's wait() returns when the host stops the instance, so one wait will do.
  bool wait_wakes_on_stop() const { return h_.flags & MISP_INPUT_HOST_WAIT_WAKES_ON_STOP; }
  std::int64_t now_ms() const;  // the host's clock, or the system's
  LogSink sink() const;         // log() as plugin/ code takes it
  const std::string& stream_id() const { return stream_id_; }
  const std::string& data_dir() const { return data_dir_; }

 private:
  misp_input_host h_{};
  std::string stream_id_, data_dir_;
};

// An Error as the C ABI passes it (borrowing e's strings).
misp_input_error to_abi(const Error& e);

}  // namespace misp::plugin
