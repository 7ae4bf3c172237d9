// A body split from its text (split_text.h) gives what the tree's split gives: the same documents,
// byte for byte and in order, the same positions, the same errors; shapes it does not take fall
// back to the tree. Every input is read both ways, with the text in place and copied.
#include "plugin/split_text.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "plugin/input_shape.h"
#include "tests/support/vectors.h"

namespace misp::plugin {
namespace {

using mapping::Dataset;

// Everything read_input() reports, as text, in order.
std::vector<std::string> read_all(const std::string& text, Dataset dataset, std::size_t from,
                                  std::size_t readable_after, std::size_t stop_after = 0) {
  std::vector<std::string> out;
  std::size_t messages = 0;
  std::string buf;
  read_input(
      text, "in", dataset, SplitMode::kPerIndicator,
      [&](const Message& m, const std::string& where) {
        out.push_back(where + " " + std::string(text_of(m, buf)));
        return stop_after == 0 || ++messages < stop_after;
      },
      [&](const Error& e) { out.push_back("error " + e.text()); }, {from, readable_after});
  return out;
}

constexpr std::size_t kNever = std::numeric_limits<std::size_t>::max();

// The text path against the tree path, on text held with padding (in place) and without (copied).
void expect_same(std::string text, Dataset dataset, const std::string& what,
                 std::size_t stop_after = 0) {
  auto tree = read_all(text, dataset, kNever, 0, stop_after);
  auto copied = read_all(text, dataset, 0, 0, stop_after);
  EXPECT_EQ(copied, tree) << what << " (text copied)";
  text.reserve(text.size() + kTextPadding);
  auto in_place = read_all(text, dataset, 0, text.capacity() - text.size(), stop_after);
  EXPECT_EQ(in_place, tree) << what << " (text in place)";
}

// Reports whether split_*_text took the text, so the edge cases below are known to exercise it.
bool taken(const std::string& text, Dataset dataset) {
  std::string failure;
  auto none = [](const json::Value&) {};
  auto no_row = [](std::string_view, std::size_t, json::Type) {};
  auto go_on = [] { return false; };
  bool t = dataset == Dataset::kThreat
               ? split_events_text({text, 0}, none, no_row, go_on, failure)
               : split_attributes_text({text, 0}, none, no_row, go_on, failure);
  EXPECT_EQ(failure, "") << text;
  return t;
}

const char* kA1 = R"({"type":"ip-src","value":"192.0.2.1","uuid":"a1"})";
const char* kA2 = R"({"type":"domain","value":"example.org","uuid":"a2"})";

std::string event(const std::string& members) {
  return R"({"Event":{"id":"1","info":"x",)" + members + R"(,"Tag":[{"name":"tlp:green"}]}})";
}

TEST(SplitText, EventShapesMatchTheTree) {
  const std::string a = std::string("[") + kA1 + "," + kA2 + "]";
  const std::string obj = R"({"name":"file","Attribute":[)" + std::string(kA1) + "]}";
  struct Case {
    std::string text;
    bool taken;
  } cases[] = {
      {event(R"("Attribute":)" + a), true},
      {event(R"("Attribute":)" + a + R"(,"Object":[)" + obj + "]"), true},
      {event(R"("Object":[)" + obj + R"(,{"name":"empty","Attribute":[]},)" + obj + "]"), true},
      {event(R"("Attribute":)" + std::string(kA1)), false},  // lone object: split already
      {event(R"("Attribute":[1,"x",)" + std::string(kA1) + R"(,null])"), true},
      {event(R"("Attribute":[],"Object":[{"name":"no attributes"}])"), true},     // sent whole
      {event(R"("Attribute":[1,2],"Object":[{"name":"no attributes"}])"), true},  // sent whole
      {event(R"("Attribute":)" + a + R"(,"Attribute":[)" + std::string(kA2) + "]"),
       true},  // duplicates
      {event(R"("Attr\u0069bute":)" + a + R"(,"Object":[],"Object":[)" + obj + "]"), true},
      {R"({"response":[)" + event(R"("Attribute":)" + a) + R"(,7,"s",)" +
           event(R"("Object":[)" + obj + "]") + R"(,{"Event":"not an object"},{}]})",
       true},
      {"[" + event(R"("Attribute":)" + a) + "," +
           event(R"("Attribute":[)" + std::string(kA2) + "]") + "]",
       true},
      {R"({"response":[],"Event":{"Attribute":[{"type":"x"}]}})", true},
      {R"({"response":{"Attribute":[]}})", false},
      {R"({"response":"nope"})", false},
      {R"({"Event":{"info":"x","Attribute":[]}})", false},
      {"{\"Event\":{\"info\":\"x\",\"Attribute\":[] ,\"Object\":[\n ]\n}\n}\n", false},  // split
      {"{\n  \"Event\": {\n    \"Attribute\": [\n      " + std::string(kA1) + "\n    ]\n  }\n}\n",
       true},                                                               // pretty-printed
      {R"({"info":"x","uuid":"u","Attribute":[{"type":"x"}]})", false},     // a bare event body
      {R"({"response":[)" + event(R"("Attribute":)" + a) + "]} x", false},  // not JSON
      {R"({"response":[)" + event(R"("Attribute":[{"type":"\q"}])") + "]}", false},
      {R"({"response":[{"Event":{"Attribute":[{"v":18446744073709551616}]}}]})", false},
      {"   " + event(R"("Attribute":)" + a) + "\n\n", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(taken(c.text, Dataset::kThreat), c.taken) << c.text;
    expect_same(c.text, Dataset::kThreat, c.text);
  }
  // Nesting at the DOM's limit inside an attribute: read alike, and no simdjson check trips.
  for (std::size_t depth : {1015, 1030}) {
    std::string deep = std::string(depth, '[') + "1" + std::string(depth, ']');
    std::string text = event(R"("Attribute":[{"type":"x","v":)" + deep + "}]");
    expect_same(text, Dataset::kThreat, "nested " + std::to_string(depth));
  }
}

TEST(SplitText, AttributeShapesMatchTheTree) {
  const std::string list = std::string("[") + kA1 + ",3," + kA2 + "]";
  struct Case {
    std::string text;
    bool taken;
  } cases[] = {
      {R"({"response":{"Attribute":)" + list + "}}", true},
      {R"({"Attribute":)" + list + "}", true},
      {list, true},
      {R"({"response":{"Attribute":)" + std::string(kA1) + "}}", false},  // a lone object
      {R"({"response":{"other":1}})", false},
      {R"({"response":[)" + std::string(kA1) + "]}", false},
      {R"({"type":"ip-src","value":"v","Attribute":[]})", false},  // one attribute, not a list
      {R"({"response":{"Attribute":[],"Attribute":)" + list + "}}", true},
      {R"({"respons\u0065":{"Attribute":)" + list + "},\"response\":{}}", true},
      {R"({"response":{"Attribute":)" + list + "}", false},  // cut short
  };
  for (const auto& c : cases) {
    EXPECT_EQ(taken(c.text, Dataset::kThreatAttributes), c.taken) << c.text;
    expect_same(c.text, Dataset::kThreatAttributes, c.text);
  }
}

TEST(SplitText, StoppingPartWayStopsAlike) {
  std::string body = R"({"response":[)";
  for (int i = 0; i < 5; ++i)
    body += (i ? "," : "") + event(R"("Attribute":[)" + std::string(kA1) + "," + kA2 + "]");
  body += "]}";
  for (std::size_t stop : {1, 2, 3, 7}) expect_same(body, Dataset::kThreat, "stop", stop);
}

// Every real export and generated body, both data streams.
TEST(SplitText, EveryExportMatchesTheTree) {
  namespace fs = std::filesystem;
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(MISP_SHARED_DIR "/vectors/misp")) {
    if (entry.path().extension() != ".json") continue;
    std::string text = test::read_file(entry.path().string());
    ++files;
    expect_same(text, Dataset::kThreat, entry.path().filename().string());
    expect_same(text, Dataset::kThreatAttributes, entry.path().filename().string());
  }
  EXPECT_GE(files, 10u);
  std::string gen = "python3 " MISP_SOURCE_DIR "/tests/bench/gen_misp.py";
  for (std::string kind : {"event 300", "attributes-response 300"}) {
    std::string out;
    FILE* p = popen((gen + " " + kind).c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[65536];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    ASSERT_EQ(pclose(p), 0) << kind;
    ASSERT_GT(out.size(), 10000u) << kind;
    Dataset d = kind.starts_with("event") ? Dataset::kThreat : Dataset::kThreatAttributes;
    EXPECT_TRUE(taken(out, d)) << kind;
    expect_same(out, d, kind);
  }
}

}  // namespace
}  // namespace misp::plugin
