// Test data lives in ../shared (vectors and reference); tests read it from there and never
// paste expected outputs into code.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace misp::test {

std::string shared_path(const std::string& relative);
std::string source_path(const std::string& relative);
std::string read_file(const std::string& path);
std::vector<std::string> read_lines(const std::string& path);  // non-empty lines

// The ```json lines of a reference document that start with prefix (e.g. {"input").
std::vector<nlohmann::json> reference_json_lines(const std::string& reference_file,
                                                 const std::string& prefix);

}  // namespace misp::test
