// The field catalogue generated from fields/*.yml is the seed's exported-field tables row for row,
// the committed docs table is what the generator writes, and every field a mapped vector document
// carries is catalogued (or an ECS field the seed's example uses) with a value of its type.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "fields/fields.h"
#include "mapping/mapper.h"
#include "tests/support/golden.h"
#include "tests/support/vectors.h"

namespace misp::test {
namespace {

using Json = nlohmann::json;
using Row = std::tuple<std::string, std::string, std::string>;  // field, description, type

std::vector<std::vector<Row>> markdown_tables(const std::string& text) {
  std::vector<std::vector<Row>> tables;
  std::vector<Row>* cur = nullptr;
  std::istringstream in(text);
  std::string line;
  std::regex row(R"(^\| (.*?) \| ?(.*?) \| (.*?) \|$)");
  while (std::getline(in, line)) {
    if (line == "| Field | Description | Type |") {
      tables.emplace_back();
      cur = &tables.back();
      continue;
    }
    if (!cur || line.rfind("|---", 0) == 0) continue;
    std::smatch m;
    if (!std::regex_match(line, m, row)) {
      cur = nullptr;
      continue;
    }
    cur->emplace_back(m[1], m[2], m[3]);
  }
  return tables;
}

std::vector<Row> catalogue_rows(fields::Stream s) {
  std::vector<Row> out;
  for (const auto& f : fields::catalogue(s))
    if (!f.external) out.emplace_back(f.path, f.description, f.type);
  return out;
}

TEST(FieldsCatalogue, EqualsSeedTablesRowForRow) {
  auto seed = markdown_tables(read_file(shared_path("seed/ti_misp.md")));
  ASSERT_EQ(seed.size(), 2u);
  EXPECT_EQ(catalogue_rows(fields::Stream::kThreat), seed[0]);
  EXPECT_EQ(catalogue_rows(fields::Stream::kThreatAttributes), seed[1]);
}

TEST(FieldsCatalogue, CommittedDocsTableIsGenerated) {
  std::string generated = read_file(std::string(MISP_FIELDS_GENERATED_DIR) + "/fields.md");
  std::string committed = read_file(source_path("docs/fields.md"));
  EXPECT_EQ(committed, generated)
      << "regenerate: cp build/default/fields/generated/fields.md docs/";
  auto tables = markdown_tables(generated);
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0], catalogue_rows(fields::Stream::kThreat));
}

TEST(FieldsCatalogue, MappingsJsonHasEveryField) {
  for (auto [name, stream] : {std::pair{"threat", fields::Stream::kThreat},
                              {"threat_attributes", fields::Stream::kThreatAttributes}}) {
    auto j = Json::parse(
        read_file(std::string(MISP_FIELDS_GENERATED_DIR) + "/" + name + ".mappings.json"));
    for (const auto& f : fields::catalogue(stream)) {
      std::string ptr = "/properties";
      std::string path(f.path);
      std::size_t pos = 0;
      while (true) {
        auto dot = path.find('.', pos);
        ptr += "/" + path.substr(pos, dot - pos);
        if (dot == std::string::npos) break;
        ptr += "/properties";
        pos = dot + 1;
      }
      ASSERT_TRUE(j.contains(Json::json_pointer(ptr))) << ptr;
      EXPECT_EQ(j[Json::json_pointer(ptr)]["type"], std::string(f.type)) << f.path;
    }
  }
}

void leaf_paths(const Json& v, const std::string& prefix,
                std::vector<std::pair<std::string, Json>>& out) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.items())
      leaf_paths(child, prefix.empty() ? k : prefix + "." + k, out);
  } else {
    out.emplace_back(prefix, v);
  }
}

std::set<std::string> seed_example_paths() {
  std::string seed = read_file(shared_path("seed/ti_misp.md"));
  auto start = seed.find("```json\n"), end = seed.find("\n```", start + 8);
  std::vector<std::pair<std::string, Json>> leaves;
  leaf_paths(Json::parse(seed.substr(start + 8, end - start - 8)), "", leaves);
  std::set<std::string> out;
  for (const auto& [p, v] : leaves) out.insert(p);
  return out;
}

bool value_has_type(const Json& v, std::string_view type) {
  if (v.is_array()) {
    for (const auto& e : v)
      if (!value_has_type(e, type)) return false;
    return true;
  }
  if (type == "long") return v.is_number_integer();
  if (type == "boolean") return v.is_boolean();
  if (type == "date")
    return v.is_string() &&
           std::regex_match(v.get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\d(T.*)?)"));
  if (type == "flattened") return true;
  return v.is_string();  // keyword, constant_keyword, wildcard, ip, match_only_text
}

void check_vector_documents(const std::string& dir, mapping::Dataset dataset,
                            fields::Stream stream) {
  static const std::set<std::string> seed_paths = seed_example_paths();
  for (const auto& c : golden_cases(dir)) {
    auto spec = Json::parse(read_file(shared_path("vectors/" + dir + "/" + c + ".expected.json")));
    mapping::Mapper mapper(options_from_config(spec["config"], dataset));
    for (const auto& line : read_lines(shared_path("vectors/" + dir + "/" + c + ".ndjson"))) {
      auto doc = Json::parse(mapper.map(line).document);
      std::vector<std::pair<std::string, Json>> leaves;
      leaf_paths(doc, "", leaves);
      for (const auto& [path, value] : leaves) {
        const fields::Field* f = fields::find(stream, path);
        if (!f) {
          EXPECT_TRUE(seed_paths.count(path))
              << c << ": " << path << " is neither catalogued nor in the seed example";
          continue;
        }
        EXPECT_TRUE(value_has_type(value, f->type))
            << c << ": " << path << " = " << value.dump() << " is not " << f->type;
      }
    }
  }
}

TEST(FieldsCatalogue, ThreatDocumentsUseCataloguedFields) {
  check_vector_documents("threat", mapping::Dataset::kThreat, fields::Stream::kThreat);
}

TEST(FieldsCatalogue, ThreatAttributesDocumentsUseCataloguedFields) {
  check_vector_documents("threat_attributes", mapping::Dataset::kThreatAttributes,
                         fields::Stream::kThreatAttributes);
}

}  // namespace
}  // namespace misp::test
