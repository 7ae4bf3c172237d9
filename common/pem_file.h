// A CA file named in a configuration, checked at load so that `--check` and run agree: it must be
// readable and hold at least one PEM certificate. Header-only: the plugin and misp-agent share it.
#pragma once

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace misp {

// Empty when `path` is a readable PEM certificate file, else why not (for "<key>: <why>").
inline std::string check_pem_certificate_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read " + path + ": " + std::strerror(errno);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return "cannot read " + path;
  if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    return path + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
  return "";
}

}  // namespace misp
