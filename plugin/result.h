// Results at layer edges: a value or an Error{code, where, message}.
#pragma once

#include <string>
#include <utility>

#include "common/expected.h"

namespace misp::plugin {

// Stable numbered error codes, grouped by layer (docs/errors.md). Hosts see them through the C
// ABI (misp_input_error.code, ABI 1.1).
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
  kInputNotJson = 401,      ///< map(): input (or an NDJSON line of it) that is not JSON.
  kInputShape = 402,        ///< map(): JSON that is no MISP event, attribute or response.
  kAbiArgument = 601,       ///< A NULL or malformed argument across the C ABI.
  kAbiCursor = 602,         ///< A cursor this plugin did not write (damaged or foreign).
  kInternal = 603,          ///< An unexpected failure inside the plugin (a bug); it stays usable.
};

const char* to_string(Errc e);

struct Error {
  Errc code = Errc::kOk;
  std::string where;    // a config key path, a JSON pointer, or a URL without credentials
  std::string message;  // what and why, for a human
  std::string text() const { return where.empty() ? message : where + ": " + message; }
};

template <typename T>
using Result = Expected<T, Error>;

}  // namespace misp::plugin
