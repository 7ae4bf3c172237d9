// A stream whose MISP sends a row that cannot be placed in the (timestamp, id) order: every poll
// fails with an error naming the row (position, id, uuid and the bad value), and the stream keeps
// running: the next poll happens after the interval, nothing stalls silently.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "plugin/instance.h"
#include "tests/integration/hostile_server.h"
#include "tests/integration/http_test_support.h"
#include "tests/misp_emulator/emulator.h"

namespace misp::test {
namespace {

struct RecordingHost {
  std::mutex mu;
  std::vector<std::string> lines;
  std::vector<std::string> errors;
  std::atomic<int>* requests = nullptr;
  int stop_after_requests = 3;

  static void log(void* data, int32_t, const char* m, size_t n) {
    auto* h = static_cast<RecordingHost*>(data);
    std::lock_guard<std::mutex> lock(h->mu);
    h->lines.emplace_back(m, n);
  }
  static void error(void* data, const misp_input_error* e) {
    auto* h = static_cast<RecordingHost*>(data);
    std::lock_guard<std::mutex> lock(h->mu);
    h->errors.emplace_back(e->message ? std::string(e->message, e->message_len) : "");
  }
  static int32_t emit(void*, const misp_input_event*) { return 1; }
  // No real sleeping: the interval passes at once; the stream is stopped once MISP has seen
  // enough requests to prove that polls go on after the failed one.
  static int32_t wait(void* data, int64_t) {
    auto* h = static_cast<RecordingHost*>(data);
    return *h->requests < h->stop_after_requests ? 1 : 0;
  }
};

std::string answer(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: " +
         emulator::http_date(emulator::system_now()) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

TEST(HostileRows, ATimestampThatIsNotANumberFailsEachPollNamingTheRowAndPollsGoOn) {
  std::atomic<int> requests{0};
  const std::string body =
      R"({"response":{"Attribute":[)"
      R"({"id":"6","event_id":"1","uuid":"5f1e0000-0000-4000-8000-000000000006","timestamp":"1700000000","type":"ip-dst","value":"10.0.0.6"},)"
      R"({"id":"7","event_id":"1","uuid":"5f1e0000-0000-4000-8000-000000000007","timestamp":"abc","type":"ip-dst","value":"10.0.0.7"})"
      R"(]}})";
  HostileServer s([&](int fd) {
    ++requests;
    s.send_all(fd, answer(body));
  });
  auto config = http_config(s.url(), "interval: 1s\n");

  RecordingHost rec;
  rec.requests = &requests;
  misp_input_host h{};
  h.struct_size = sizeof h;
  h.abi_major = MISP_INPUT_ABI_MAJOR;
  h.abi_minor = MISP_INPUT_ABI_MINOR;
  h.host_data = &rec;
  h.log = &RecordingHost::log;
  h.emit = &RecordingHost::emit;
  h.wait = &RecordingHost::wait;
  h.error = &RecordingHost::error;
  auto host = plugin::Host::copy(&h, plugin::HostUse::kRun);
  ASSERT_TRUE(host.ok()) << host.error().text();
  auto inst = plugin::make_instance(host.value(), config, "");
  ASSERT_TRUE(inst.ok()) << inst.error().text();

  EXPECT_EQ(plugin::run_instance(*inst.value(), false), MISP_INPUT_STOPPED);
  EXPECT_GE(requests.load(), 3) << "the stream stopped polling after the bad row";
  EXPECT_GE(inst.value()->metrics.failed_polls, 2u);
  std::lock_guard<std::mutex> lock(rec.mu);
  ASSERT_FALSE(rec.errors.empty());
  for (const auto& e : rec.errors) {
    EXPECT_NE(e.find("row 1"), std::string::npos) << e;
    EXPECT_NE(e.find("\"7\""), std::string::npos) << "the row's id: " << e;
    EXPECT_NE(e.find("5f1e0000-0000-4000-8000-000000000007"), std::string::npos)
        << "the row's uuid: " << e;
    EXPECT_NE(e.find("timestamp \"abc\""), std::string::npos) << "the bad value: " << e;
  }
  bool logged = false;
  for (const auto& l : rec.lines)
    logged = logged || (l.find("Poll failed.") != std::string::npos &&
                        l.find("timestamp \"abc\"") != std::string::npos);
  EXPECT_TRUE(logged) << "no ERROR line names the row";
}

}  // namespace
}  // namespace misp::test
