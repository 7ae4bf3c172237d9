// An in-process MISP emulator on a loopback port and a Poller pointed at it, with a clock the test
// owns: sleeps advance it instantly, so backoffs and intervals cost no wall time.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugin/poller.h"
#include "tests/misp_emulator/emulator.h"
#include "tests/support/secrets.h"

namespace misp::test {

inline constexpr std::int64_t kNow = 1'800'000'000;  // test "now", Unix seconds

struct Harness {
  emulator::Emulator emu;
  std::int64_t clock_ms = kNow * 1000;
  std::vector<std::string> logs;
  std::vector<plugin::Delivery> delivered;
  std::function<bool(const plugin::Delivery&)> gate;  // optional: refuse a delivery (host stopping)

  // The emulator's clock (MISP's, sent as Date) is the test's clock; tests skew it with
  // emu.set_clock_offset().
  explicit Harness(emulator::Options o = {}) : emu(with_clock(std::move(o), this)) {}

  static emulator::Options with_clock(emulator::Options o, Harness* h) {
    o.now = [h] { return h->clock_ms / 1000; };
    return o;
  }

  std::string yaml(mapping::Dataset d, const std::string& extra) {
    (void)d;
    return "url: " + emu.url() + "\napi_token: " + kSecretApiToken +
           "\nhttp_request_rate_limit: 0\nretry_wait_min: 10ms\nretry_wait_max: 100ms\n" + extra;
  }

  plugin::Config config(mapping::Dataset d, const std::string& extra = "") {
    auto c = plugin::parse_config(yaml(d, extra), d);
    EXPECT_TRUE(c.ok()) << c.error().text();
    return c.value();
  }

  plugin::Runtime runtime() {
    plugin::Runtime r;
    r.now_ms = [this] { return clock_ms; };
    r.sleep_ms = [this](std::int64_t ms) {
      clock_ms += ms;
      return true;
    };
    r.log = [this](const std::string& l) { logs.push_back(l); };
    return r;
  }

  plugin::Poller poller(const plugin::Config& c, const std::string& cursor = "") {
    return plugin::Poller(c, runtime(), cursor, [this](const plugin::Delivery& d) {
      if (gate && !gate(d)) return false;
      delivered.push_back(d);
      return true;
    });
  }

  // misp.attribute.uuid (and timestamp) of every delivered ECS document.
  std::vector<std::pair<std::string, std::string>> delivered_attributes() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& d : delivered) {
      auto j = nlohmann::json::parse(d.document);
      const auto& a = j["misp"]["attribute"];
      // threat_attributes drops misp.attribute.timestamp; @timestamp carries it in both streams.
      out.emplace_back(a.value("uuid", ""), j.value("@timestamp", ""));
    }
    return out;
  }
};

}  // namespace misp::test
