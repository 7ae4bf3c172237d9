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

volatile std::sig_atomic_t g_stop = 0, g_quiet = 0;
extern "C" void on_signal(int) {
  g_stop = 1;
}
extern "C" void on_quiet(int) {
  g_quiet = 1;
}

constexpr const char* kUsage =
    "usage: misp-emulator [--events N] [--attributes-each M] [--port-file FILE] [--key KEY]\n"
    "                     [--load FILE]... [--delay-ms MS] [--clock-offset S] [--bulk-event N]\n"
    "                     [--chaos-seed N] [--edit-probability P] [--inserts-per-request N]\n"
    "                     [--late-save-max-age S] [--synced-per-request N] [--synced-max-age S]\n"
    "                     [--soft-deletes-per-request N] [--hard-deletes-per-request N]\n"
    "                     [--ledger-file FILE] [--fault-seed N] [--error-probability P]\n"
    "                     [--rate-limit-probability P] [--rate-limit-reset S]\n"
    "                     [--drop-probability P] [--slow-probability P] [--slow-ms MS]\n"
    "                     [--served-file FILE] [--snapshot-file FILE]\n"
    "  --clock-offset S     MISP's clock (Date header, edits) runs S seconds ahead (negative:\n"
    "                       behind) of this machine's\n"
    "  --bulk-event N       one more event of N attributes sharing one timestamp (an hour ago)\n"
    "  --chaos-*, --*-per-request, --edit-probability, --late-save-max-age, --synced-max-age:\n"
    "                       before answering each restSearch, edit each live attribute with\n"
    "                       probability P, insert N attributes stamped now - [0, S], add N rows\n"
    "                       synced with an old timestamp, soft/hard delete N; seeded, repeatable\n"
    "  --ledger-file FILE   at exit, write every change made (one JSON object a line)\n"
    "  --error-probability, --rate-limit-probability, --drop-probability, --slow-probability:\n"
    "                       answer that share of requests 500, 429 (X-Rate-Limit-Reset: S of\n"
    "                       --rate-limit-reset, default 1), with the connection closed before\n"
    "                       the body, or --slow-ms late; drawn from --fault-seed, repeatable\n"
    "  --served-file FILE   at exit, write every attribute row served in a 200 answer\n"
    "                       (request, id, uuid, timestamp; one JSON object a line)\n"
    "  --snapshot-file FILE at exit, write every attribute and event as MISP holds it then\n"
    "                       (kind, id, uuid, timestamp; event_id, deleted for attributes)\n"
    "  SIGUSR1              quiet from now on: no more chaos, no more random faults\n";

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
  misp::emulator::RandomFaults random_faults;
  bool with_chaos = false, with_faults = false;
  int events = 20, each = 50, delay_ms = 0, bulk = 0;
  std::int64_t clock_offset = 0;
  std::string port_file, ledger_file, served_file, snapshot_file;
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
    else if (a == "--served-file")
      served_file = next();
    else if (a == "--snapshot-file")
      snapshot_file = next();
    else if (a == "--fault-seed")
      random_faults.seed = static_cast<std::uint64_t>(integer(a, next(), 0)), with_faults = true;
    else if (a == "--error-probability")
      random_faults.error_probability = probability(a, next()), with_faults = true;
    else if (a == "--rate-limit-probability")
      random_faults.rate_limit_probability = probability(a, next()), with_faults = true;
    else if (a == "--rate-limit-reset")
      random_faults.rate_limit_reset_s = integer(a, next(), 0, 86400), with_faults = true;
    else if (a == "--drop-probability")
      random_faults.drop_probability = probability(a, next()), with_faults = true;
    else if (a == "--slow-probability")
      random_faults.slow_probability = probability(a, next()), with_faults = true;
    else if (a == "--slow-ms")
      random_faults.slow_ms = count(), with_faults = true;
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
  if (random_faults.error_probability + random_faults.rate_limit_probability +
          random_faults.drop_probability >
      1)
    usage_error(
        "--error-probability, --rate-limit-probability and --drop-probability add up to "
        "more than 1");
  if (with_chaos) emu.set_chaos(chaos);
  if (with_faults) emu.set_random_faults(random_faults);
  if (!served_file.empty()) emu.record_served(true);
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
  std::signal(SIGUSR1, on_quiet);
  bool quiet = false;
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (g_quiet && !quiet) {
      quiet = true;
      emu.clear_chaos();
      emu.set_random_faults({});
      std::cout << "misp-emulator: quiet (no chaos, no faults) after " << emu.requests()
                << " requests" << std::endl;
    }
  }
  emu.stop();
  if (!served_file.empty()) {
    std::ofstream out(served_file);
    for (const auto& r : emu.served())
      out << nlohmann::json{{"request", r.request},
                            {"id", r.id},
                            {"uuid", r.uuid},
                            {"timestamp", r.timestamp}}
                 .dump()
          << "\n";
  }
  if (!snapshot_file.empty()) {
    std::ofstream out(snapshot_file);
    for (const auto& a : emu.snapshot())
      out << nlohmann::json{{"kind", "attribute"},      {"id", a.id},
                            {"uuid", a.uuid},           {"event_id", a.event_id},
                            {"timestamp", a.timestamp}, {"deleted", a.deleted}}
                 .dump()
          << "\n";
    for (const auto& e : emu.event_versions())
      out << nlohmann::json{{"kind", "event"},
                            {"id", e.id},
                            {"uuid", e.uuid},
                            {"timestamp", e.timestamp}}
                 .dump()
          << "\n";
  }
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
