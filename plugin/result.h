// Results at layer edges: a value or an Error{code, where, message}.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace misp::plugin {

// Stable numbered error codes, grouped by layer (docs/errors.md).
enum class Errc {
  kOk = 0,                  ///< No error.
  kConfigUnknownKey = 101,  ///< A configuration key that no option has.
  kConfigType = 102,        ///< A value of the wrong type (e.g. a list where a number goes).
  kConfigValue = 103,       ///< A value outside what the option accepts.
  kConfigMissing = 104,     ///< A required option is not set.
  kConfigSyntax = 105,      ///< The configuration text is neither YAML nor JSON.
  kConfigVariable = 106,    ///< A ${env.NAME} variable that is not set, or a malformed ${...}.
  kHttpTransport = 201,     ///< No response: connect, TLS, timeout or dropped connection.
  kHttpStatus = 202,        ///< A response with an error status.
  kHttpBodyTooLarge = 203,  ///< A body above max_response_bytes.
  kDecode = 301,            ///< A response that is not the JSON MISP sends (HTML, truncated...).
  kStopped = 302,           ///< The host asked us to stop.
};

const char* to_string(Errc e);

struct Error {
  Errc code = Errc::kOk;
  std::string where;    // a config key path, a JSON pointer, or a URL without credentials
  std::string message;  // what and why, for a human
  std::string text() const { return where.empty() ? message : where + ": " + message; }
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace misp::plugin
