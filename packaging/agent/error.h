// misp-agent's own errors: where (a policy key path, a file, a flag) and what. The plugin's
// numbered codes reach misp-agent only through the C ABI (misp_input_error).
#pragma once

#include <string>

#include "common/expected.h"

namespace misp::agent {

struct Error {
  std::string where;
  std::string message;
  std::string text() const { return where.empty() ? message : where + ": " + message; }
};

template <typename T>
using Result = Expected<T, Error>;

}  // namespace misp::agent
