// misp-emulator: the MISP stand-in as a process, for the README's main job, the shell tests and
// manual testing. `misp-emulator --help` prints the flags; a bad value exits 2 with a message.
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <thread>

#include "tests/misp_emulator/emulator.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) {
  g_stop = 1;
}

constexpr const char* kUsage =
    "usage: misp-emulator [--events N] [--attributes-each M] [--port-file FILE] [--key KEY]\n"
    "                     [--load FILE]... [--delay-ms MS] [--clock-offset S] [--bulk-event N]\n"
    "                     [--chaos-seed N] [--edit-probability P] [--inserts-per-request N]\n"
    "                     [--late-save-max-age S] [--synced-per-request N] [--synced-max-age S]\n"
    "                     [--soft-deletes-per-request N] [--hard-deletes-per-request N]\n"
    "                     [--ledger-file FILE]\n"
    "  --clock-offset S     MISP's clock (Date header, edits) runs S seconds ahead (negative:\n"
    "                       behind) of this machine's\n"
    "  --bulk-event N       one more event of N attributes sharing one timestamp (an hour ago)\n"
    "  --chaos-*, --*-per-request, --edit-probability, --late-save-max-age, --synced-max-age:\n"
    "                       before answering each restSearch, edit each live attribute with\n"
    "                       probability P, insert N attributes stamped now - [0, S], add N rows\n"
    "                       synced with an old timestamp, soft/hard delete N; seeded, repeatable\n"
    "  --ledger-file FILE   at exit, write every change made (one JSON object a line)\n";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "misp-emulator: " << message << "\n" << kUsage;
  std::exit(2);
}

std::int64_t integer(const std::string& flag, const std::string& value, std::int64_t min,
                     std::int64_t max = std::numeric_limits<std::int64_t>::max()) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty())
    usage_error(flag + ": not an integer: '" + value + "'");
  if (v < min || v > max)
    usage_error(flag + ": must be between " + std::to_string(min) + " and " + std::to_string(max) +
                ", got " + value);
  return v;
}

double probability(const std::string& flag, const std::string& value) {
  char* end = nullptr;
  double v = std::strtod(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size())
    usage_error(flag + ": not a number: '" + value + "'");
  if (!(v >= 0 && v <= 1)) usage_error(flag + ": must be between 0 and 1, got " + value);
  return v;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) usage_error("--load: cannot open " + path);
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    usage_error("--load: " + path + " is not JSON: " + e.what());
  }
}

}  // namespace

int main(int argc, char** argv) {
  misp::emulator::Options options;
  misp::emulator::Chaos chaos;
  bool with_chaos = false;
  int events = 20, each = 50, delay_ms = 0, bulk = 0;
  std::int64_t clock_offset = 0;
  std::string port_file, ledger_file;
  std::vector<std::string> loads;
  constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(a + " needs a value");
      return argv[++i];
    };
    auto count = [&] { return static_cast<int>(integer(a, next(), 0, kIntMax)); };
    if (a == "--events")
      events = count();
    else if (a == "--attributes-each")
      each = count();
    else if (a == "--port-file")
      port_file = next();
    else if (a == "--key")
      options.api_key = next();
    else if (a == "--load")
      loads.push_back(next());
    else if (a == "--delay-ms")
      delay_ms = count();
    else if (a == "--clock-offset")
      clock_offset = integer(a, next(), -100LL * 365 * 86400, 100LL * 365 * 86400);
    else if (a == "--bulk-event")
      bulk = count();
    else if (a == "--ledger-file")
      ledger_file = next();
    else {
      with_chaos = true;
      if (a == "--chaos-seed")
        chaos.seed = static_cast<std::uint64_t>(integer(a, next(), 0));
      else if (a == "--edit-probability")
        chaos.edit_probability = probability(a, next());
      else if (a == "--inserts-per-request")
        chaos.inserts_per_request = count();
      else if (a == "--late-save-max-age")
        chaos.late_save_max_age_s = integer(a, next(), 0);
      else if (a == "--synced-per-request")
        chaos.synced_per_request = count();
      else if (a == "--synced-max-age")
        chaos.synced_max_age_s = integer(a, next(), 1);
      else if (a == "--soft-deletes-per-request")
        chaos.soft_deletes_per_request = count();
      else if (a == "--hard-deletes-per-request")
        chaos.hard_deletes_per_request = count();
      else
        usage_error("unknown option " + a);
    }
  }
  misp::emulator::Emulator emu(options);
  emu.set_clock_offset(clock_offset);
  const std::int64_t now = emu.now();  // MISP stamps its data with its own clock
  emu.generate(events, each, now - 3 * 86400, 3 * 86400 - 60);
  for (const auto& f : loads) {
    try {
      emu.load_json(read_json(f));
    } catch (const std::exception& e) {
      usage_error("--load: " + f + ": " + e.what());
    }
  }
  if (bulk > 0) emu.bulk_event(bulk, now - 3600);
  if (with_chaos) emu.set_chaos(chaos);
  if (delay_ms > 0)
    emu.on_request([delay_ms](int, const nlohmann::json&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    });
  int port = emu.start();
  std::cout << "misp-emulator listening on " << emu.url() << " with " << emu.attribute_count()
            << " attributes" << std::endl;
  if (!port_file.empty()) std::ofstream(port_file) << port << "\n";
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  emu.stop();
  if (!ledger_file.empty()) {
    std::ofstream out(ledger_file);
    for (const auto& e : emu.ledger())
      out << nlohmann::json{{"request", e.request},
                            {"kind", misp::emulator::to_string(e.kind)},
                            {"attribute_id", e.attribute_id},
                            {"uuid", e.uuid},
                            {"event_id", e.event_id},
                            {"old_timestamp", e.old_timestamp},
                            {"new_timestamp", e.new_timestamp}}
                 .dump()
          << "\n";
  }
  return 0;
}
