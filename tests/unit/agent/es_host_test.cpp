// An elasticsearch output's hosts, read as Beats reads them: no scheme is http, no port is 9200,
// an empty port and credentials in the URL are refused.
#include <gtest/gtest.h>

#include "packaging/agent/output_elasticsearch.h"

namespace misp::agent {
namespace {

TEST(ElasticsearchHost, DefaultsAsBeats) {
  struct Case {
    const char* text;
    const char* scheme;
    const char* host;
    int port;
    const char* path;
  };
  for (const Case& c : {Case{"http://127.0.0.1", "http", "127.0.0.1", 9200, ""},
                        Case{"https://es.example", "https", "es.example", 9200, ""},
                        Case{"https://es.example:443/", "https", "es.example", 443, ""},
                        Case{"localhost:9201", "http", "localhost", 9201, ""},
                        Case{"es.example", "http", "es.example", 9200, ""},
                        Case{"http://[::1]", "http", "::1", 9200, ""},
                        Case{"http://[::1]:9300/prefix/", "http", "::1", 9300, "/prefix"}}) {
    auto u = parse_elasticsearch_host(c.text);
    ASSERT_TRUE(u) << c.text << ": " << u.error();
    EXPECT_EQ(u->scheme, c.scheme) << c.text;
    EXPECT_EQ(u->host, c.host) << c.text;
    EXPECT_EQ(u->port, c.port) << c.text;
    EXPECT_EQ(u->path, c.path) << c.text;
  }
}

TEST(ElasticsearchHost, Refused) {
  for (auto [text, why] : {std::pair{"http://127.0.0.1:", "has an empty port"},
                           std::pair{"127.0.0.1:", "has an empty port"},
                           std::pair{"http://[::1]:", "has an empty port"},
                           std::pair{"http://127.0.0.1:0", "has an invalid port '0'"},
                           std::pair{"http://127.0.0.1:x", "has an invalid port 'x'"},
                           std::pair{"http://u:p@h:9200", "must not carry credentials"},
                           std::pair{"ftp://h", "must use http or https, got ftp"},
                           std::pair{"http://h:9200/?q", "must not carry a query or fragment"},
                           std::pair{"http://:9200", "has no host"}}) {
    auto u = parse_elasticsearch_host(text);
    ASSERT_FALSE(u) << text;
    EXPECT_EQ(u.error().rfind(why, 0), 0u) << text << ": " << u.error();
  }
}

TEST(ElasticsearchHost, ClientNamesTheKeyOfABadHost) {
  OutputSpec spec;
  spec.kind = OutputSpec::Kind::kElasticsearch;
  spec.hosts = {"http://127.0.0.1:9200", "http://127.0.0.1:"};
  auto c = ElasticsearchClient::make(spec);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().where, "outputs.default.hosts[1]");
  spec.hosts = {"http://a:1", "https://b"};
  auto ok = ElasticsearchClient::make(spec);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok.value()->hosts_text(), "http://a:1, https://b:9200");
}

}  // namespace
}  // namespace misp::agent
