// A plain HTTP client for the emulator's own tests: POST a restSearch body, get status, headers
// and the parsed body back.
#pragma once

#include <httplib.h>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/misp_emulator/emulator.h"

namespace misp::test {

inline constexpr const char* kKey = misp::test::kSecretApiToken;

struct Reply {
  int status = 0;
  httplib::Headers headers;
  nlohmann::json body;

  bool has(const std::string& name) const { return headers.count(name) > 0; }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  long long count(const std::string& name) const { return std::stoll(header(name)); }
  // The rows of either endpoint: attributes, or events.
  const nlohmann::json& rows() const {
    return body["response"].is_array() ? body["response"] : body["response"]["Attribute"];
  }
};

inline Reply post(const emulator::Emulator& emu, const std::string& path,
                  const nlohmann::json& body, const std::string& key = kKey) {
  httplib::Client client("127.0.0.1", emu.port());
  client.set_read_timeout(10, 0);
  httplib::Headers headers = {{"Authorization", key}, {"Accept", "application/json"}};
  auto res = client.Post(path.c_str(), headers, body.dump(), "application/json");
  Reply r;
  if (!res) return r;
  r.status = res->status;
  r.headers = res->headers;
  if (res->status == 200) r.body = nlohmann::json::parse(res->body);
  return r;
}

inline Reply attributes(const emulator::Emulator& emu, nlohmann::json body) {
  body["returnFormat"] = "json";
  return post(emu, "/attributes/restSearch", body);
}

inline Reply events(const emulator::Emulator& emu, nlohmann::json body) {
  body["returnFormat"] = "json";
  return post(emu, "/events/restSearch", body);
}

}  // namespace misp::test
