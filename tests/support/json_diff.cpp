#include "tests/support/json_diff.h"

namespace misp::test {

std::string json_diff(const nlohmann::json& expected, const nlohmann::json& actual) {
  if (expected == actual) return "";
  std::string out;
  for (const auto& op : nlohmann::json::diff(expected, actual)) {
    std::string path = op["path"];
    std::string kind = op["op"];
    nlohmann::json want;
    try {
      want = expected.at(nlohmann::json::json_pointer(path));
    } catch (...) {
      want = "<absent>";
    }
    std::string got = op.contains("value") ? op["value"].dump() : "<absent>";
    out += "- " + path + " (" + kind + "): expected " + want.dump() + ", got " + got + "\n";
  }
  return out;
}

}  // namespace misp::test
