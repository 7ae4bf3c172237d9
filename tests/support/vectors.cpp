#include "tests/support/vectors.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace misp::test {

std::string shared_path(const std::string& relative) {
  return std::string(MISP_SHARED_DIR) + "/" + relative;
}
std::string source_path(const std::string& relative) {
  return std::string(MISP_SOURCE_DIR) + "/" + relative;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> out;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

std::vector<nlohmann::json> reference_json_lines(const std::string& reference_file,
                                                 const std::string& prefix) {
  std::vector<nlohmann::json> out;
  for (const auto& line : read_lines(shared_path("reference/" + reference_file)))
    if (line.rfind(prefix, 0) == 0) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace misp::test
