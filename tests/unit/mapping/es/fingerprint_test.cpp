// The fingerprint processor matches Elasticsearch's own test vectors (section 1), and the byte
// streams of the reference implementation for JSON numbers, nested nulls and lists.
#include "mapping/es/fingerprint.h"

#include <gtest/gtest.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "mapping/json/parse.h"
#include "tests/support/vectors.h"

namespace misp::mapping::es {
namespace {

struct Row {
  std::string doc;
  std::vector<std::string> fields;
  HashMethod method = HashMethod::kSha1;
  std::string salt;
  bool ignore_missing = false;
  std::string expected;  // base64, or "ERROR:<message>"
};

std::string between_backticks(const std::string& s, std::size_t from = 0) {
  auto a = s.find('`', from), b = s.find('`', a + 1);
  return s.substr(a + 1, b - a - 1);
}

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::size_t pos = 1;
  while (true) {
    auto bar = line.find(" |", pos);
    if (bar == std::string::npos) break;
    std::string c = line.substr(pos, bar - pos);
    while (!c.empty() && c.front() == ' ') c.erase(0, 1);
    out.push_back(c);
    pos = bar + 2;
  }
  return out;
}

// The table under "### Vectors" of section 1, with its ditto marks resolved.
std::vector<Row> table_rows() {
  std::vector<Row> rows;
  bool in_table = false;
  Row prev;
  for (const auto& line :
       misp::test::read_lines(misp::test::shared_path("reference/es-processors.md"))) {
    if (line.rfind("| source | doc | fields / opts", 0) == 0) {
      in_table = true;
      continue;
    }
    if (!in_table) continue;
    if (line.rfind("|", 0) != 0) break;
    if (line.rfind("| ---", 0) == 0) continue;
    auto c = cells(line);
    Row r = prev;
    if (c[1] != "\"") r.doc = between_backticks(c[1]);
    const std::string& f = c[2];
    if (f.rfind("`[", 0) == 0) {
      r.fields.clear();
      for (const auto& x : nlohmann::json::parse(between_backticks(f))) r.fields.push_back(x);
      r.ignore_missing = false;
      r.salt.clear();
      r.method = HashMethod::kSha1;
    }
    if (f.find("ignore_missing=false") != std::string::npos)
      r.ignore_missing = false;
    else if (f.find("ignore_missing") != std::string::npos)
      r.ignore_missing = true;
    if (auto s = f.find("salt `"); s != std::string::npos) r.salt = between_backticks(f, s);
    for (auto [name, m] : {std::pair{"MD5", HashMethod::kMd5},
                           {"SHA-1", HashMethod::kSha1},
                           {"SHA-256", HashMethod::kSha256},
                           {"SHA-512", HashMethod::kSha512},
                           {"MurmurHash3", HashMethod::kMurmurHash3}})
      if (f.find(name) != std::string::npos) r.method = m;
    r.expected =
        c[3].rfind("error", 0) == 0 ? "ERROR:" + between_backticks(c[3]) : between_backticks(c[3]);
    rows.push_back(r);
    prev = r;
  }
  return rows;
}

std::optional<std::string> compute(const std::string& doc_text,
                                   const std::vector<std::string>& fields, HashMethod method,
                                   const std::string& salt, bool ignore_missing,
                                   bool stream_only = false) {
  json::Parser parser;
  json::Doc doc;
  json::Value root;
  std::string error;
  EXPECT_TRUE(parser.parse(doc_text, doc, root, error)) << error;
  std::vector<std::string_view> views(fields.begin(), fields.end());
  if (stream_only) return fingerprint_stream(root, views, salt, ignore_missing);
  return fingerprint(root, views, method, salt, ignore_missing);
}

TEST(Fingerprint, ElasticsearchTestVectors) {
  auto rows = table_rows();
  ASSERT_EQ(rows.size(), 12u);
  for (const auto& r : rows) {
    SCOPED_TRACE(r.doc + " -> " + r.expected);
    if (r.expected.rfind("ERROR:", 0) == 0) {
      try {
        compute(r.doc, r.fields, r.method, r.salt, r.ignore_missing);
        ADD_FAILURE() << "expected an error";
      } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string("ERROR:") + e.what(), r.expected);
      }
    } else {
      EXPECT_EQ(compute(r.doc, r.fields, r.method, r.salt, r.ignore_missing), r.expected);
    }
  }
}

std::string hex(const std::string& bytes) {
  static const char* k = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) out += k[c >> 4], out += k[c & 15];
  return out;
}

// The reference script's derived vectors: JSON Integer/Long/Double, nested null, lists.
TEST(Fingerprint, DerivedByteStreams) {
  auto lines = misp::test::read_lines(misp::test::shared_path("reference/es-processors.md"));
  std::regex head(R"(doc=(\{.*\}) fields=\[(.*)\] salt='(.*)' ignore_missing=(True|False))");
  int checked = 0;
  for (std::size_t i = 0; i + 2 < lines.size(); ++i) {
    std::smatch m;
    if (!std::regex_search(lines[i], m, head)) continue;
    std::vector<std::string> fields;
    std::string list = m[2];
    std::regex item(R"('([^']*)')");
    for (auto it = std::sregex_iterator(list.begin(), list.end(), item);
         it != std::sregex_iterator(); ++it)
      fields.push_back((*it)[1]);
    std::string stream_line = lines[i + 1], sha_line = lines[i + 2];
    std::string want_stream = stream_line.substr(stream_line.find('=') + 1);
    std::string want_sha = sha_line.substr(sha_line.find('=') + 1);
    bool ignore = m[4] == "True";
    SCOPED_TRACE(lines[i]);
    auto stream = compute(m[1], fields, HashMethod::kSha1, m[3], ignore, true);
    EXPECT_EQ(stream ? hex(*stream) : "", want_stream);
    auto sha = compute(m[1], fields, HashMethod::kSha1, m[3], ignore);
    EXPECT_EQ(sha.value_or("None"), want_sha);
    ++checked;
  }
  EXPECT_EQ(checked, 7);
}

// An integer beyond the long range is a BigInteger in Elasticsearch, which cannot be hashed.
TEST(Fingerprint, BigIntegerIsAnError) {
  EXPECT_THROW(compute(R"({"a":18446744073709551615})", {"a"}, HashMethod::kSha1, "", true),
               std::invalid_argument);
}

}  // namespace
}  // namespace misp::mapping::es
