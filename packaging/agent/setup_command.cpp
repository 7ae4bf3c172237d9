// `misp-agent setup`: the generated Elasticsearch assets onto the policy's cluster, idempotent.
// Each asset is read back first (GET) and compared with the file: equal is "unchanged" and
// nothing is sent; otherwise one PUT ("created" or "updated"). Templates, pipelines and ILM
// policies are replaced by PUT; the transform is created when missing, updated through _update
// when it differs (its `latest` cannot change: the operator must delete it first), then started
// ("already started" is fine). One line per asset; exit 1 when any failed.
#include "packaging/agent/setup_command.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "packaging/agent/output_elasticsearch.h"
#include "packaging/agent/policy.h"

namespace misp::agent {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kUsage = R"(Usage: misp-agent setup --policy FILE [--assets DIR]

Installs the Elasticsearch assets misp-input generates from its field catalogue on the cluster of
the policy's elasticsearch output (outputs.default: hosts, api_key or username/password, ssl), in
order: the final ingest pipeline, the ILM policy, the component templates, the index templates
(the data streams logs-ti_misp.threat-* and logs-ti_misp.threat_attributes-*, and the latest_ioc
destination), then the latest_ioc transform, which it starts. Run it again at will: what is
installed as shipped is left alone. Prints one line per asset (created, updated, unchanged, or
the error) and exits non-zero when any failed. Needs Elasticsearch 8.8 or later (9.x included).

  --policy FILE  the agent policy (YAML) whose outputs.default is of type elasticsearch
  --assets DIR   the generated assets (default: ../share/misp-input/elasticsearch next to the
                 misp-agent executable when installed, else the build tree's
                 packaging/elasticsearch/assets)
)";

// The oldest Elasticsearch the assets work on: index templates with
// ignore_missing_component_templates (8.7) and transform destination aliases (8.8).
constexpr int kMinMajor = 8, kMinMinor = 8, kMaxMajor = 9;

int fail(const std::string& message) {
  std::cerr << "misp-agent setup: " << message << "\n";
  return 1;
}

// The assets folder: --assets, else installed (<prefix>/share/misp-input/elasticsearch beside
// <prefix>/bin/misp-agent), else the build tree (misp-agent at the top of the build folder).
std::optional<fs::path> find_assets(const std::string& flag, std::string& tried) {
  std::vector<fs::path> candidates;
  if (!flag.empty()) {
    candidates.emplace_back(flag);
  } else {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec).parent_path();
    candidates.push_back(exe / ".." / "share" / "misp-input" / "elasticsearch");
    candidates.push_back(exe / "packaging" / "elasticsearch" / "assets");
  }
  for (const auto& c : candidates) {
    std::error_code ec;
    if (fs::is_directory(c / "index_template", ec)) return c.lexically_normal();
    tried += (tried.empty() ? "" : ", ") + c.lexically_normal().string();
  }
  return std::nullopt;
}

struct Asset {
  std::string kind;  // ingest_pipeline, ilm_policy, component_template, index_template, transform
  std::string name;
  Json body;
};

// The assets of one folder, sorted by name.
std::optional<std::string> read_folder(const fs::path& dir, const std::string& kind,
                                       std::vector<Asset>& out) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return dir.string() + ": missing";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) return dir.string() + ": no .json file";
  for (const auto& f : files) {
    std::ifstream in(f);
    Json body = Json::parse(in, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return f.string() + ": not a JSON object";
    out.push_back({kind, f.stem().string(), std::move(body)});
  }
  return std::nullopt;
}

// `want` is in `stored`: every key of want present with a covered value (Elasticsearch adds
// keys of its own: version, dates, defaults), arrays element by element, and scalars equal or
// of equal text (index settings come back as strings).
bool covers(const Json& stored, const Json& want) {
  if (want.is_object()) {
    if (!stored.is_object()) return false;
    for (const auto& [k, v] : want.items())
      if (!stored.contains(k) || !covers(stored[k], v)) return false;
    return true;
  }
  if (want.is_array()) {
    if (!stored.is_array() || stored.size() != want.size()) return false;
    for (std::size_t i = 0; i < want.size(); ++i)
      if (!covers(stored[i], want[i])) return false;
    return true;
  }
  if (stored == want) return true;
  auto text = [](const Json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); };
  return !stored.is_structured() && text(stored) == text(want);
}

// obj[key] when obj is an object and that is a string, else "" (Elasticsearch's answers are
// untrusted: nothing of an unexpected shape throws).
std::string str_at(const Json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_string()) return "";
  return obj[key].get<std::string>();
}

// Installed by Fleet (Elastic's own ti_misp integration): setup must not replace it.
bool fleet_managed(const Json& stored) {
  return stored.is_object() && stored.contains("_meta") && stored["_meta"].is_object() &&
         str_at(stored["_meta"], "managed_by") == "fleet";
}

constexpr const char* kFleet =
    "error: installed by Fleet (Elastic's MISP integration runs on this cluster); left alone: "
    "send it raw documents instead (stream variable output: raw) and do not run setup";

// Elasticsearch's reason for a refusal, or the start of the body.
std::string reason(const EsResponse& r) {
  if (r.status == 0) return "no answer from " + r.host + ": " + r.error;
  Json j = Json::parse(r.body, nullptr, false);
  std::string why;
  if (j.is_object() && j.contains("error")) {
    const Json& e = j["error"];
    if (e.is_object() && e.contains("reason") && e["reason"].is_string())
      why = e["reason"].get<std::string>();
    else if (e.is_string())
      why = e.get<std::string>();
  }
  if (why.empty()) why = r.body.substr(0, 300);
  return "HTTP " + std::to_string(r.status) + " from " + r.host + (why.empty() ? "" : ": " + why);
}

class Installer {
 public:
  explicit Installer(ElasticsearchClient& es) : es_(es) {}

  // One asset, one line. False when it failed.
  bool install(const Asset& a) {
    std::string result = a.kind == "transform" ? transform(a) : put_asset(a);
    std::cout << a.kind << " " << a.name << ": " << result << "\n" << std::flush;
    return result.rfind("error", 0) != 0;
  }

  // Whether Fleet installed this asset (then setup installs nothing: the line says why).
  bool fleet_owned(const Asset& a) {
    EsResponse got = es_.request("GET", path(a));
    if (got.status != 200) return false;
    Json j = Json::parse(got.body, nullptr, false);
    std::optional<Json> s;
    if (a.kind == "transform") {
      if (j.is_object() && j.contains("transforms") && j["transforms"].is_array() &&
          !j["transforms"].empty())
        s = j["transforms"][0];
    } else {
      s = stored(a, j);
    }
    // ILM keeps _meta inside the policy.
    if (!s || !(fleet_managed(*s) || (s->contains("policy") && fleet_managed((*s)["policy"]))))
      return false;
    std::cout << a.kind << " " << a.name << ": " << kFleet << "\n";
    return true;
  }

 private:
  // The stored form of an asset from its GET answer (each API wraps it its own way).
  static std::optional<Json> stored(const Asset& a, const Json& got) {
    if (!got.is_object()) return std::nullopt;
    if (a.kind == "component_template" || a.kind == "index_template") {
      const std::string list = a.kind + "s";
      if (!got.contains(list) || !got[list].is_array()) return std::nullopt;
      for (const auto& t : got[list])
        if (t.is_object() && str_at(t, "name") == a.name && t.contains(a.kind)) return t[a.kind];
      return std::nullopt;
    }
    if (!got.contains(a.name)) return std::nullopt;
    return got[a.name];
  }

  static std::string path(const Asset& a) {
    if (a.kind == "transform") return "/_transform/" + a.name;
    if (a.kind == "component_template") return "/_component_template/" + a.name;
    if (a.kind == "index_template") return "/_index_template/" + a.name;
    if (a.kind == "ingest_pipeline") return "/_ingest/pipeline/" + a.name;
    return "/_ilm/policy/" + a.name;  // ilm_policy
  }

  std::string put_asset(const Asset& a) {
    EsResponse got = es_.request("GET", path(a));
    bool exists = false;
    if (got.status == 200) {
      auto s = stored(a, Json::parse(got.body, nullptr, false));
      exists = s.has_value();
      if (s && covers(*s, a.body)) return "unchanged";
    } else if (got.status != 404) {
      return "error: " + reason(got);
    }
    EsResponse put = es_.request("PUT", path(a), a.body.dump());
    if (put.status < 200 || put.status > 299) return "error: " + reason(put);
    return exists ? "updated" : "created";
  }

  std::string transform(const Asset& a) {
    const std::string base = "/_transform/" + a.name;
    EsResponse got = es_.request("GET", base);
    std::string result;
    if (got.status == 404) {
      EsResponse put = es_.request("PUT", base + "?defer_validation=true", a.body.dump());
      if (put.status == 409)  // created meanwhile: the next run compares it
        result = "exists";
      else if (put.status < 200 || put.status > 299)
        return "error: " + reason(put);
      else
        result = "created";
    } else if (got.status == 200) {
      Json j = Json::parse(got.body, nullptr, false);
      const Json* s = nullptr;
      if (j.is_object() && j.contains("transforms") && j["transforms"].is_array())
        for (const auto& t : j["transforms"])
          if (t.is_object() && str_at(t, "id") == a.name) s = &t;
      if (!s) return "error: unreadable answer to GET _transform from " + got.host;
      if (covers(*s, a.body)) {
        result = "unchanged";
      } else {
        for (const char* fixed : {"latest", "pivot"})
          if (a.body.contains(fixed) && !(s->contains(fixed) && covers((*s)[fixed], a.body[fixed])))
            return std::string("error: its ") + fixed +
                   " settings differ from the assets and cannot be updated; stop and delete it "
                   "(POST _transform/" +
                   a.name + "/_stop, DELETE _transform/" + a.name + "), then run setup again";
        Json update = a.body;
        update.erase("latest");
        update.erase("pivot");
        EsResponse post =
            es_.request("POST", base + "/_update?defer_validation=true", update.dump());
        if (post.status < 200 || post.status > 299) return "error: " + reason(post);
        result = "updated";
      }
    } else {
      return "error: " + reason(got);
    }
    EsResponse start = es_.request("POST", base + "/_start");
    if (start.status == 409) return result + ", already started";
    if (start.status < 200 || start.status > 299)
      return "error: " + result + " but not started: " + reason(start);
    return result + ", started";
  }

  ElasticsearchClient& es_;
};

// major.minor of "8.17.2" (or "9.0.0-SNAPSHOT"); nullopt when not a version.
std::optional<std::pair<int, int>> major_minor(const std::string& v) {
  int major = 0, minor = 0;
  char dot = 0;
  std::istringstream in(v);
  if (!(in >> major >> dot >> minor) || dot != '.') return std::nullopt;
  return std::pair{major, minor};
}

// GET /: reachable, credentials accepted, and a version the assets work on.
std::optional<std::string> check_cluster(ElasticsearchClient& es) {
  EsResponse r = es.request("GET", "/");
  if (r.status == 0)
    return "cannot reach Elasticsearch at " + es.hosts_text() + " (" + r.error + ")";
  if (r.status == 401)
    return "Elasticsearch at " + r.host +
           " refused the credentials (HTTP 401): check outputs.default.api_key, or username and "
           "password";
  if (r.status == 403)
    return "Elasticsearch at " + r.host +
           " refused access (HTTP 403): the API key or user needs the cluster privileges "
           "manage_index_templates, manage_ingest_pipelines, manage_ilm and manage_transform";
  if (r.status != 200) return "Elasticsearch answered GET / with " + reason(r);
  Json j = Json::parse(r.body, nullptr, false);
  std::string number;
  if (j.is_object() && j.contains("version") && j["version"].is_object() &&
      j["version"].contains("number") && j["version"]["number"].is_string())
    number = j["version"]["number"].get<std::string>();
  auto v = major_minor(number);
  if (!v) return "not an Elasticsearch at " + r.host + ": GET / gave no version.number";
  const std::string need = "misp-agent setup needs Elasticsearch " + std::to_string(kMinMajor) +
                           "." + std::to_string(kMinMinor) + " or later (up to " +
                           std::to_string(kMaxMajor) + ".x)";
  if (str_at(j["version"], "build_flavor") == "serverless")
    return "Elasticsearch at " + r.host + " is Serverless, which has no ILM or transforms: " + need;
  if (v->first < kMinMajor || (v->first == kMinMajor && v->second < kMinMinor) ||
      v->first > kMaxMajor)
    return "Elasticsearch " + number + " at " + r.host + " is not supported: " + need +
           " (index templates with ignore_missing_component_templates, transform destination "
           "aliases)";
  std::cout << "Elasticsearch " << number << " at " << r.host << "\n";
  return std::nullopt;
}

}  // namespace

int setup_command(int argc, char** argv) {
  std::string policy_path, assets_flag;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--policy" && i + 1 < argc) {
      policy_path = argv[++i];
    } else if (a == "--assets" && i + 1 < argc) {
      assets_flag = argv[++i];
    } else {
      std::cerr << "misp-agent setup: unknown argument '" << a << "'\n" << kUsage;
      return 2;
    }
  }
  if (policy_path.empty()) return std::cerr << "misp-agent setup: --policy is required\n", 2;
  auto policy = load_policy(policy_path);
  if (!policy) return fail(policy.error().text());
  if (policy->output.kind != OutputSpec::Kind::kElasticsearch)
    return fail(
        "outputs.default.type: setup installs on an elasticsearch output; this policy's "
        "output is not one");
  std::string tried;
  auto dir = find_assets(assets_flag, tried);
  if (!dir)
    return fail("no Elasticsearch assets found (looked in " + tried + "); use --assets DIR");
  std::vector<Asset> assets;
  for (const auto& [folder, kind] : {std::pair{"ingest_pipeline", "ingest_pipeline"},
                                     {"ilm", "ilm_policy"},
                                     {"component_template", "component_template"},
                                     {"index_template", "index_template"},
                                     {"transform", "transform"}})
    if (auto e = read_folder(*dir / folder, kind, assets)) return fail("assets: " + *e);
  auto es = ElasticsearchClient::make(policy->output);
  if (!es) return fail(es.error().text());
  if (auto e = check_cluster(*es.value())) return fail(*e);
  Installer installer(*es.value());
  int fleet = 0;
  for (const auto& a : assets) fleet += installer.fleet_owned(a) ? 1 : 0;
  if (fleet)
    return fail("nothing installed: " + std::to_string(fleet) + " of the assets belong to Fleet");
  int failed = 0;
  for (const auto& a : assets) failed += installer.install(a) ? 0 : 1;
  // The data stream lifecycle file is for clusters without ILM (Serverless), which setup refuses.
  std::cout << "data_stream_lifecycle logs-ti_misp.threat_attributes: skipped (the ILM policy "
               "applies)\n";
  if (failed)
    return fail(std::to_string(failed) + " of " + std::to_string(assets.size()) + " assets failed");
  std::cout << "Setup complete: " << assets.size() << " assets on " << es.value()->hosts_text()
            << ".\n";
  return 0;
}

}  // namespace misp::agent
