// Where plugin/ writes its log lines: one key=value line with a level, no secrets. The shim sends
// them to the host's log() with the same level (MISP_INPUT_LOG_*), so a warning stays a warning.
#pragma once

#include <concepts>
#include <functional>
#include <string>
#include <utility>

namespace misp::plugin {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };  // = MISP_INPUT_LOG_*

class LogSink {
 public:
  LogSink() = default;
  // A sink that takes the level.
  template <typename F>
  requires std::invocable<F&, LogLevel, const std::string&> LogSink(F f) : fn_(std::move(f)) {}
  // A sink for the line alone (tests that only collect lines): every level goes to it.
  template <typename F>
  requires std::invocable<F&, const std::string&> LogSink(F f)
      : fn_([f = std::move(f)](LogLevel, const std::string& line) mutable { f(line); }) {}

  void operator()(LogLevel level, const std::string& line) const {
    if (fn_) fn_(level, line);
  }
  // Progress lines: INFO.
  void operator()(const std::string& line) const { (*this)(LogLevel::kInfo, line); }
  explicit operator bool() const { return static_cast<bool>(fn_); }

 private:
  std::function<void(LogLevel, const std::string&)> fn_;
};

}  // namespace misp::plugin
