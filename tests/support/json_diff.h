// A readable difference between two JSON documents (key order free), for golden tests.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace misp::test {

// "" when equal; otherwise one line per differing path: "- /a/b: expected X, got Y".
std::string json_diff(const nlohmann::json& expected, const nlohmann::json& actual);

}  // namespace misp::test
