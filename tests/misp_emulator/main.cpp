// misp-emulator: the MISP stand-in as a process, for the README's main job and manual testing.
//   misp-emulator [--events N] [--attributes-each M] [--port-file FILE] [--key KEY] [--load
//   FILE]...
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "tests/misp_emulator/emulator.h"

namespace {
volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) {
  g_stop = 1;
}
}  // namespace

int main(int argc, char** argv) {
  misp::emulator::Options options;
  int events = 20, each = 50, delay_ms = 0;
  std::string port_file;
  std::vector<std::string> loads;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "misp-emulator: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--events")
      events = std::stoi(next());
    else if (a == "--attributes-each")
      each = std::stoi(next());
    else if (a == "--port-file")
      port_file = next();
    else if (a == "--key")
      options.api_key = next();
    else if (a == "--load")
      loads.push_back(next());
    else if (a == "--delay-ms")
      delay_ms = std::stoi(next());
    else {
      std::cerr << "usage: misp-emulator [--events N] [--attributes-each M] [--port-file FILE] "
                   "[--key KEY] [--load FILE]... [--delay-ms MS]\n";
      return 2;
    }
  }
  misp::emulator::Emulator emu(options);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  emu.generate(events, each, now - 3 * 86400, 3 * 86400 - 60);
  for (const auto& f : loads) {
    std::ifstream in(f);
    auto j = nlohmann::json::parse(in);
    if (j.contains("response")) {
      for (const auto& e : j["response"]) emu.load_event_json(e);
    } else {
      emu.load_event_json(j);
    }
  }
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
  return 0;
}
