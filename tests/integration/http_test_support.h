// What the HttpClient tests share: a stream config for a URL, and the host's real clock with a
// sleep that really sleeps and never reports a stop.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "plugin/config.h"
#include "plugin/http_client.h"
#include "tests/support/secrets.h"

namespace misp::test {

inline constexpr const char* kHttpTestKey = kSecretApiToken;

inline plugin::Config http_config(const std::string& url, const std::string& extra = "") {
  auto c = plugin::parse_config("url: " + url + "\napi_token: " + kHttpTestKey +
                                    "\nhttp_request_rate_limit: 0\nretry_max_attempts: 1\n" + extra,
                                mapping::Dataset::kThreatAttributes);
  EXPECT_TRUE(c.ok()) << c.error().text();
  return c.value();
}

inline plugin::Runtime real_time() {
  plugin::Runtime r;
  r.now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  r.sleep_ms = [](std::int64_t ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return true;
  };
  return r;
}

}  // namespace misp::test
