#include "plugin/result.h"

namespace misp::plugin {

const char* to_string(Errc e) {
  switch (e) {
    case Errc::kOk:
      return "ok";
    case Errc::kConfigUnknownKey:
      return "config_unknown_key";
    case Errc::kConfigType:
      return "config_type";
    case Errc::kConfigValue:
      return "config_value";
    case Errc::kConfigMissing:
      return "config_missing";
    case Errc::kConfigSyntax:
      return "config_syntax";
    case Errc::kConfigVariable:
      return "config_variable";
    case Errc::kHttpTransport:
      return "http_transport";
    case Errc::kHttpStatus:
      return "http_status";
    case Errc::kHttpBodyTooLarge:
      return "http_body_too_large";
    case Errc::kDecode:
      return "decode";
    case Errc::kStopped:
      return "stopped";
    case Errc::kInputNotJson:
      return "input_not_json";
    case Errc::kInputShape:
      return "input_shape";
    case Errc::kAbiArgument:
      return "abi_argument";
    case Errc::kAbiCursor:
      return "abi_cursor";
    case Errc::kInternal:
      return "internal";
  }
  return "unknown";
}

}  // namespace misp::plugin
