// Reads fields/<stream>/*.yml (Elastic package fields.yml format), normalises them to a flat
// list, and writes each artifact from that one list:
//   fields_table.cpp       the C++ catalogue (misp::fields::catalogue)
//   fields.md              the docs' exported-field tables
//   <stream>.mappings.json Elasticsearch index-template mappings
// Usage: fields_gen OUT_DIR STREAM=DIR [STREAM=DIR...]
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Flat {
  std::string path, type, description;
  bool external = false;
  std::string value;  // constant_keyword only: the constant (`value:`), empty if set by the data
};

void walk(const YAML::Node& list, const std::string& prefix, std::vector<Flat>& out,
          const std::string& file) {
  for (const auto& node : list) {
    if (!node["name"]) throw std::runtime_error(file + ": an entry has no name");
    std::string name = prefix + node["name"].as<std::string>();
    std::string type = node["type"] ? node["type"].as<std::string>() : "";
    if (type == "group") {
      if (!node["fields"]) throw std::runtime_error(file + ": group " + name + " has no fields");
      walk(node["fields"], name + ".", out, file);
      continue;
    }
    if (type.empty()) throw std::runtime_error(file + ": field " + name + " has no type");
    Flat f{name, type, node["description"] ? node["description"].as<std::string>() : "",
           node["external"] && node["external"].as<std::string>() == "ecs",
           node["value"] ? node["value"].as<std::string>() : ""};
    if (!f.value.empty() && f.type != "constant_keyword")
      throw std::runtime_error(file + ": field " + name +
                               " has a value but is not constant_keyword");
    while (!f.description.empty() && (f.description.back() == '\n' || f.description.back() == ' '))
      f.description.pop_back();
    out.push_back(f);
  }
}

std::vector<Flat> load(const std::string& dir) {
  std::vector<Flat> out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".yml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) walk(YAML::LoadFile(f.string()), "", out, f.string());
  std::sort(out.begin(), out.end(), [](const Flat& a, const Flat& b) { return a.path < b.path; });
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].path == out[i - 1].path)
      throw std::runtime_error(dir + ": duplicate field " + out[i].path);
  return out;
}

std::string cpp_literal(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string enum_name(const std::string& stream) {
  return stream == "threat" ? "kThreat" : "kThreatAttributes";
}

void write_cpp(const std::map<std::string, std::vector<Flat>>& streams, std::ostream& out) {
  out << "// GENERATED from fields/*/*.yml by fields/gen/fields_gen — do not edit.\n"
         "#include \"fields/fields.h\"\n\nnamespace misp::fields {\nnamespace {\n";
  for (const auto& [name, fields] : streams) {
    out << "constexpr Field k_" << name << "[] = {\n";
    for (const auto& f : fields)
      out << "    {" << cpp_literal(f.path) << ", " << cpp_literal(f.type) << ", "
          << cpp_literal(f.description) << ", " << (f.external ? "true" : "false") << "},\n";
    out << "};\n";
  }
  out << "}  // namespace\n\nstd::span<const Field> catalogue(Stream stream) {\n  switch (stream) "
         "{\n";
  for (const auto& [name, fields] : streams)
    out << "    case Stream::" << enum_name(name) << ": return k_" << name << ";\n";
  out << "  }\n  return {};\n}\n\n}  // namespace misp::fields\n";
}

void write_markdown(const std::map<std::string, std::vector<Flat>>& streams, std::ostream& out) {
  out << "<!-- GENERATED from fields/*/*.yml by fields/gen/fields_gen — do not edit. -->\n"
         "# Exported fields\n";
  for (const auto& [name, fields] : streams) {
    out << "\n## " << (name == "threat" ? "Threat" : "Threat Attributes") << "\n\n"
        << "| Field | Description | Type |\n|---|---|---|\n";
    for (const auto& f : fields)
      if (!f.external) out << "| " << f.path << " | " << f.description << " | " << f.type << " |\n";
  }
}

void write_json_string(const std::string& s, std::ostream& out) {
  out << '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out << '\\';
    out << c;
  }
  out << '"';
}

struct Tree {
  std::map<std::string, Tree> children;
  std::string type, value;
};

void write_mapping(const Tree& t, std::ostream& out, int indent) {
  std::string pad(indent, ' ');
  out << "{\n";
  bool first = true;
  for (const auto& [k, child] : t.children) {
    if (!first) out << ",\n";
    first = false;
    out << pad << "  ";
    write_json_string(k, out);
    out << ": ";
    if (!child.type.empty()) {
      out << "{\"type\": ";
      write_json_string(child.type == "group" ? "object" : child.type, out);
      if (!child.value.empty()) {
        out << ", \"value\": ";
        write_json_string(child.value, out);
      }
      out << "}";
    } else {
      out << "{\"properties\": ";
      write_mapping(child, out, indent + 2);
      out << "}";
    }
  }
  out << "\n" << pad << "}";
}

void write_mappings(const std::vector<Flat>& fields, std::ostream& out) {
  Tree root;
  for (const auto& f : fields) {
    Tree* node = &root;
    std::stringstream ss(f.path);
    std::string seg;
    while (std::getline(ss, seg, '.')) node = &node->children[seg];
    node->type = f.type;
    node->value = f.value;
  }
  out << "{\"properties\": ";
  write_mapping(root, out, 0);
  out << "}\n";
}

// Writes only when the content changed, so dependents do not rebuild needlessly.
void write_if_changed(const std::filesystem::path& path, const std::string& content) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream existing;
  if (in) existing << in.rdbuf();
  if (in && existing.str() == content) return;
  std::ofstream(path, std::ios::binary) << content;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: fields_gen OUT_DIR STREAM=DIR [STREAM=DIR...]\n";
    return 2;
  }
  try {
    std::filesystem::path out_dir = argv[1];
    std::filesystem::create_directories(out_dir);
    std::map<std::string, std::vector<Flat>> streams;
    for (int i = 2; i < argc; ++i) {
      std::string arg = argv[i];
      auto eq = arg.find('=');
      if (eq == std::string::npos) throw std::runtime_error("expected STREAM=DIR, got " + arg);
      streams[arg.substr(0, eq)] = load(arg.substr(eq + 1));
    }
    std::ostringstream cpp, md;
    write_cpp(streams, cpp);
    write_markdown(streams, md);
    write_if_changed(out_dir / "fields_table.cpp", cpp.str());
    write_if_changed(out_dir / "fields.md", md.str());
    for (const auto& [name, fields] : streams) {
      std::ostringstream mappings;
      write_mappings(fields, mappings);
      write_if_changed(out_dir / (name + ".mappings.json"), mappings.str());
    }
  } catch (const std::exception& e) {
    std::cerr << "fields_gen: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
