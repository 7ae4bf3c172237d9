// misp-agent's outputs: Elasticsearch _bulk with create actions, _id and data-stream index,
// per-item errors (409 duplicate = stored, 4xx = rejected and logged, 429/5xx = retried), auth,
// and the rotating NDJSON file.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "packaging/agent/output.h"
#include "packaging/agent/output_elasticsearch.h"
#include "tests/support/secrets.h"

namespace misp::agent {
namespace {

using Json = nlohmann::json;

// A stand-in for Elasticsearch's _bulk endpoint. Each request answers its items from `script`
// (status per item, in order, consumed as requests come), default 201.
class FakeElasticsearch {
 public:
  FakeElasticsearch() {
    server_.Post("/_bulk", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      auths_.push_back(req.get_header_value("Authorization"));
      if (!request_status_.empty()) {
        res.status = request_status_.front();
        request_status_.erase(request_status_.begin());
        return;
      }
      if (!bodies_.empty()) {  // a scripted answer, whatever was sent
        res.set_content(bodies_.front(), "application/json");
        bodies_.erase(bodies_.begin());
        return;
      }
      std::istringstream in(req.body);
      std::string action, doc;
      Json items = Json::array();
      while (std::getline(in, action) && std::getline(in, doc)) {
        Json a = Json::parse(action);
        requests_.push_back({a, Json::parse(doc)});
        int status = 201;
        if (!item_status_.empty()) {
          status = item_status_.front();
          item_status_.erase(item_status_.begin());
        }
        Json item = {{"_index", a["create"]["_index"]}, {"status", status}};
        if (status >= 300)
          item["error"] = {{"type", "x"}, {"reason", "scripted " + std::to_string(status)}};
        items.push_back({{"create", item}});
      }
      res.set_content(Json{{"errors", true}, {"items", items}}.dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeElasticsearch() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void script_items(std::vector<int> s) { item_status_ = std::move(s); }
  void script_requests(std::vector<int> s) { request_status_ = std::move(s); }
  void script_bodies(std::vector<std::string> b) { bodies_ = std::move(b); }
  std::vector<std::pair<Json, Json>> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::vector<std::string> auths() {
    std::lock_guard<std::mutex> lock(mu_);
    return auths_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<int> item_status_, request_status_;
  std::vector<std::string> bodies_;
  std::vector<std::pair<Json, Json>> requests_;
  std::vector<std::string> auths_;
};

struct Es {
  FakeElasticsearch fake;
  std::vector<std::string> logs;
  std::unique_ptr<Output> out;
  explicit Es(OutputSpec spec = {}) {
    spec.kind = OutputSpec::Kind::kElasticsearch;
    spec.hosts = {fake.url()};
    spec.backoff_ms = 1;
    auto made = make_output(spec, [this](const std::string& l) { logs.push_back(l); });
    EXPECT_TRUE(made.ok());
    out = std::move(made.value());
  }
  void write(int n) {
    for (int i = 0; i < n; ++i) {
      std::string id = "id-" + std::to_string(i), body = R"({"n":)" + std::to_string(i) + "}";
      out->write({"logs-ti_misp.threat-default", id, body, false});
    }
  }
};

TEST(ElasticsearchOutput, CreateActionsWithIdIntoTheDataStream) {
  OutputSpec spec;
  spec.bulk_max_size = 4;
  Es es(spec);
  es.write(10);
  ASSERT_TRUE(es.out->sync());
  auto r = es.fake.requests();
  ASSERT_EQ(r.size(), 10u);
  EXPECT_EQ(r[3].first,
            Json({{"create", {{"_index", "logs-ti_misp.threat-default"}, {"_id", "id-3"}}}}));
  EXPECT_EQ(r[3].second, Json({{"n", 3}}));
  auto s = es.out->stats();
  EXPECT_EQ(s.requests, 3u) << "bulk_max_size 4: 4 + 4 + 2";
  EXPECT_EQ(s.indexed, 10u);
}

TEST(ElasticsearchOutput, PerItemErrors) {
  Es es;
  es.fake.script_items({201, 409, 400, 429, 503, 201, /* retries: */ 201, 201});
  es.write(6);
  ASSERT_TRUE(es.out->sync());
  auto s = es.out->stats();
  EXPECT_EQ(s.indexed, 4u);     // 2 at once + the 2 retried
  EXPECT_EQ(s.duplicates, 1u);  // 409: already stored under this _id
  EXPECT_EQ(s.rejected, 1u);    // 400: logged, not retried
  EXPECT_EQ(s.retried, 2u);
  auto r = es.fake.requests();
  ASSERT_EQ(r.size(), 8u);
  EXPECT_EQ(r[6].first["create"]["_id"], "id-3");
  EXPECT_EQ(r[7].first["create"]["_id"], "id-4");
  bool logged = false;
  for (const auto& l : es.logs)
    logged |= l.find("_id=id-2 status=400 reason=\"scripted 400\"") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST(ElasticsearchOutput, RetriesRunOutThenSyncFailsAndKeepsTheDocuments) {
  OutputSpec spec;
  spec.max_retries = 2;
  Es es(spec);
  es.fake.script_requests({503, 503, 503});
  es.write(3);
  EXPECT_FALSE(es.out->sync()) << "the cursor must not move";
  ASSERT_TRUE(es.out->sync()) << "the next sync delivers what was kept";
  EXPECT_EQ(es.fake.requests().size(), 3u);
}

TEST(ElasticsearchOutput, AuthHeadersAndNoSecretsInLogs) {
  OutputSpec spec;
  spec.api_key = Secret("myid:mykey");
  Es es(spec);
  es.write(1);
  ASSERT_TRUE(es.out->sync());
  EXPECT_EQ(es.fake.auths().front(), "ApiKey bXlpZDpteWtleQ==");
  OutputSpec basic;
  basic.username = "elastic";
  basic.password = Secret(test::kSecretEsPassword);
  Es es2(basic);
  es2.fake.script_requests({401});
  es2.write(1);
  EXPECT_FALSE(es2.out->sync());
  EXPECT_EQ(es2.fake.auths().front(),
            "Basic ZWxhc3RpYzplc1Rlc3RTRUNSRVRwdzAz");  // elastic:<es_password>
  for (const auto& l : es2.logs) EXPECT_EQ(l.find(test::kSecretEsPassword), std::string::npos);
}

// Elasticsearch's answer is untrusted input: items of unexpected shapes are retried, never
// dereferenced, and nothing throws (sync() runs inside the plugin's emit callback).
TEST(ElasticsearchOutput, Issue9_UntrustedBulkAnswersNeverThrow) {
  OutputSpec spec;
  spec.max_retries = 1;
  Es es(spec);
  es.fake.script_bodies({R"({"items":[{}]})", R"({"items":[{"create":[]}]})"});
  es.write(1);
  bool ok = true;
  EXPECT_NO_THROW(ok = es.out->sync());
  EXPECT_FALSE(ok) << "retries ran out: the cursor must not move";
  EXPECT_EQ(es.out->stats().failed_syncs, 1u);
  Es es2;
  es2.fake.script_bodies({R"({"items":[{"create":{"status":"201"}}]})", R"({"items":{}})",
                          R"({"items":[{"create":{"status":400,"error":7}}]})"});
  es2.write(1);
  EXPECT_NO_THROW(ok = es2.out->sync());
  EXPECT_TRUE(ok) << "the 400 settles the document as rejected";
  EXPECT_EQ(es2.out->stats().rejected, 1u);
  EXPECT_EQ(es2.out->stats().retried, 2u);
}

TEST(FileOutput, RotatesBySizeKeepingNFiles) {
  std::string dir = ::testing::TempDir() + "/rot-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  OutputSpec spec;
  spec.kind = OutputSpec::Kind::kFile;
  spec.path = dir + "/misp.ndjson";
  spec.rotate_bytes = 2048;
  spec.keep_files = 2;
  auto made = make_output(spec, [](const std::string&) {});
  ASSERT_TRUE(made.ok());
  std::string body = R"({"pad":")" + std::string(400, 'x') + R"("})";
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 3; ++i) made.value()->write({"logs-x-default", "id", body, false});
    ASSERT_TRUE(made.value()->sync());
  }
  EXPECT_TRUE(std::filesystem::exists(spec.path));
  EXPECT_TRUE(std::filesystem::exists(spec.path + ".1"));
  EXPECT_TRUE(std::filesystem::exists(spec.path + ".2"));
  EXPECT_FALSE(std::filesystem::exists(spec.path + ".3"));
  EXPECT_LE(std::filesystem::file_size(spec.path), 2048u);
  std::ifstream in(spec.path);
  std::string line;
  while (std::getline(in, line)) EXPECT_EQ(Json::parse(line)["@metadata"]["_id"], "id");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace misp::agent
