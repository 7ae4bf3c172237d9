#include "mapping/indicator.h"

#include <arpa/inet.h>

#include <array>
#include <string>

#include "mapping/es/uri_parts.h"

namespace misp::mapping {

namespace {

constexpr std::array<std::string_view, 18> kHashTypes = {
    "md5",    "impfuzzy",   "imphash",    "pehash",   "sha1",     "sha224",
    "sha256", "sha3-224",   "sha3-256",   "sha3-384", "sha3-512", "sha384",
    "sha512", "sha512/224", "sha512/256", "ssdeep",   "tlsh",     "vhash"};

void apply_grok(Ctx& ctx, const es::Grok& grok, std::string_view field) {
  json::Value* v = ctx.get(field);
  if (!v || v->is_null())
    throw ProcessorFailure("field [" + std::string(field) + "] is null, cannot process it.");
  if (!v->is_string())
    throw ProcessorFailure("field [" + std::string(field) + "] of type [" +
                           std::string(v->is_number() ? "java.lang.Integer" : "java.lang.Object") +
                           "] cannot be cast to [java.lang.String]");
  std::string_view subject = v->str();
  auto captures = grok.match(subject);
  if (!captures)
    throw ProcessorFailure("Provided Grok expressions do not match field value: [" +
                           std::string(subject) + "]");
  for (const auto& c : *captures) ctx.set(ctx.doc().copy(c.field), ctx.doc().new_string(c.value));
}

bool is_ipv6(std::string_view s) {
  std::string z(s);
  in6_addr a;
  return inet_pton(AF_INET6, z.c_str(), &a) == 1;
}

bool is_cidr(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos || slash + 1 >= s.size()) return false;
  std::string addr(s.substr(0, slash));
  unsigned char buf[16];
  if (inet_pton(AF_INET, addr.c_str(), buf) != 1 && inet_pton(AF_INET6, addr.c_str(), buf) != 1)
    return false;
  for (char c : s.substr(slash + 1))
    if (c < '0' || c > '9') return false;
  return true;
}

// The types Elastic classifies without putting their value anywhere (regkey|value: only the key;
// the trailing lazy %{DATA} leaves registry.value empty), so that removing misp.attribute.value
// loses it. We keep it (docs/divergences.md, 7).
bool value_mapped_nowhere(std::string_view type, bool attributes) {
  if (type == "filename-pattern" || type == "regkey|value") return true;
  if (type.starts_with("email"))
    return type != "email-src" && type != "email-dst" && !(attributes && type == "email-subject");
  return attributes && (type == "mime-type" || type == "mutex" || type == "cpe");
}

// url/link/uri: uri_parts with ignore_failure, then url.full from url.original.
void map_url(Ctx& ctx) {
  json::Value* v = ctx.get("misp.attribute.value");
  if (v && v->is_string()) {
    std::string_view value = v->str();
    if (auto parts = es::parse_uri_parts(value)) {
      json::Doc& doc = ctx.doc();
      json::Value url = doc.new_object(12);
      auto put = [&](std::string_view k, const std::optional<std::string>& v) {
        if (v) url.o->push_back({k, doc.new_string(*v)});
      };
      put("domain", parts->domain);
      put("extension", parts->extension);
      put("fragment", parts->fragment);
      url.o->push_back({"original", json::Value::string_view(value)});
      put("password", parts->password);
      put("path", parts->path);
      if (parts->port) url.o->push_back({"port", json::Value::integer(*parts->port)});
      put("query", parts->query);
      put("scheme", parts->scheme);
      put("user_info", parts->user_info);
      put("username", parts->username);
      ctx.remove("misp.attribute.value");  // remove_if_successful
      ctx.set("threat.indicator.url", url);
    }
  }
  if (json::Value* original = ctx.get("threat.indicator.url.original"))
    ctx.set("threat.indicator.url.full", *original);
}

}  // namespace

bool is_hash_type(std::string_view type) {
  for (auto h : kHashTypes)
    if (h == type) return true;
  return false;
}

IndicatorClassifier::IndicatorClassifier()
    : filename_type_(R"(%{WORD}\|%{WORD:_tmp.hashtype})"),
      filename_value_(R"(%{DATA:threat.indicator.file.name}\|%{GREEDYDATA:_tmp.hashvalue})"),
      regkey_value_(
          R"(%{DATA:threat.indicator.registry.key}\|%{DATA:threat.indicator.registry.value})"),
      domain_ip_(R"(%{DATA:threat.indicator.url.domain}\|%{IP:threat.indicator.ip})"),
      ip_port_(R"(%{IP:threat.indicator.ip}\|%{NUMBER:threat.indicator.port})") {}

void IndicatorClassifier::classify(Ctx& ctx, Dataset dataset, bool strict) const {
  const std::string type(ctx.str("misp.attribute.type"));
  if (type.empty()) return;
  const bool attributes = dataset == Dataset::kThreatAttributes;
  json::Doc& doc = ctx.doc();

  if (is_hash_type(type)) {
    ctx.set("threat.indicator.type", "file");
    ctx.rename("misp.attribute.value", doc.copy("threat.indicator.file.hash." + type));
  }
  if (type == "filename") {
    ctx.set("threat.indicator.type", "file");
    ctx.rename("misp.attribute.value", "threat.indicator.file.name");
  }
  if (type.starts_with("filename")) {
    // Every type starting "filename" (filename-pattern too) is a file; only filename|<hash> is
    // split into name and hash.
    ctx.set("threat.indicator.type", "file");
  }
  if (type.starts_with("filename|")) {
    apply_grok(ctx, filename_type_, "misp.attribute.type");
    apply_grok(ctx, filename_value_, "misp.attribute.value");
    std::string_view hashtype = ctx.str("_tmp.hashtype");
    if (json::Value* hv = ctx.get("_tmp.hashvalue"))
      ctx.set(doc.copy("threat.indicator.file.hash." + std::string(hashtype)), *hv);
  }
  if (type == "url" || type == "link" || type == "uri") {
    ctx.set("threat.indicator.type", "url");
    // The threat pipeline never parses `uri` values (they are then dropped); threat_attributes
    // does, and so do we unless strict parity is asked for.
    if (type != "uri" || attributes || !strict) map_url(ctx);
    if (attributes || !strict) {
      if (!ctx.has("threat.indicator.url.original") && ctx.has("misp.attribute.value"))
        ctx.set("threat.indicator.url.original", *ctx.get("misp.attribute.value"));
      if (!ctx.has("threat.indicator.url.full") && ctx.has("misp.attribute.value"))
        ctx.set("threat.indicator.url.full", *ctx.get("misp.attribute.value"));
    }
  }
  if (type.starts_with("regkey")) {
    ctx.set("threat.indicator.type", "windows-registry-key");
    if (type == "regkey") ctx.rename("misp.attribute.value", "threat.indicator.registry.key");
    if (type == "regkey|value") apply_grok(ctx, regkey_value_, "misp.attribute.value");
  }
  if (type == "AS") {
    ctx.set("threat.indicator.type", "autonomous-system");
    std::string_view v = ctx.str("misp.attribute.value");
    // MISP accepts "AS13335" as well as "13335"; Elastic's long conversion fails on the former.
    if (!strict && v.size() > 2 && (v[0] == 'A' || v[0] == 'a') && (v[1] == 'S' || v[1] == 's')) {
      ctx.set("misp.attribute.value", v.substr(2));
    }
    ctx.convert_long("misp.attribute.value", "threat.indicator.as.number", /*ignore_missing=*/true);
  }
  if (type == "hostname" || type.starts_with("domain")) {
    ctx.set("threat.indicator.type", "domain-name");
    if (type != "domain|ip") ctx.rename("misp.attribute.value", "threat.indicator.url.domain");
    if (type == "domain|ip") apply_grok(ctx, domain_ip_, "misp.attribute.value");
  }
  if (type == "ip-src" || type == "ip-dst" || type == "ip-src|port" || type == "ip-dst|port") {
    ctx.set("threat.indicator.type", "ipv4-addr");
    std::string_view v = ctx.str("misp.attribute.value");
    bool with_port = type.ends_with("|port");
    if (!strict && !with_port && is_cidr(v)) {
      // A network cannot go into the `ip` field (Elasticsearch rejects the document); keep it
      // in misp.attribute.value, which the caller then leaves in place.
      if (is_ipv6(v.substr(0, v.find('/')))) ctx.set("threat.indicator.type", "ipv6-addr");
      ctx.set("_tmp.keep_value", json::Value::boolean(true));
    } else if (with_port) {
      apply_grok(ctx, ip_port_, "misp.attribute.value");
    } else {
      ctx.rename("misp.attribute.value", "threat.indicator.ip");
    }
    if (!strict && is_ipv6(ctx.str("threat.indicator.ip")))
      ctx.set("threat.indicator.type", "ipv6-addr");
  }
  if (type.starts_with("email")) {
    if (attributes) {
      ctx.set("threat.indicator.type", "email-addr");
      if (type == "email-src" || type == "email-dst") {
        if (json::Value* v = ctx.get("misp.attribute.value"))
          ctx.set("threat.indicator.email.address", *v);
      }
      if (type == "email-subject") {
        if (json::Value* v = ctx.get("misp.attribute.value"))
          ctx.set("threat.indicator.email.subject", *v);
      }
    } else if (type == "email-src" || type == "email-dst") {
      ctx.set("threat.indicator.type", "email-addr");
      ctx.rename("misp.attribute.value", "threat.indicator.email.address");
    } else {
      ctx.set("threat.indicator.type", "email-message");
    }
  }
  if (type == "mac-address" || type == "mac-eui-64") {
    ctx.set("threat.indicator.type", "mac-addr");
    ctx.rename("misp.attribute.value", "threat.indicator.mac");
  }
  if (attributes) {
    if (type == "mime-type") ctx.set("threat.indicator.type", "artifact");
    if (type == "mutex") ctx.set("threat.indicator.type", "mutex");
    if (type == "cpe") ctx.set("threat.indicator.type", "software");
  }
  if (!strict && value_mapped_nowhere(type, attributes))
    ctx.set("_tmp.keep_value", json::Value::boolean(true));
}

}  // namespace misp::mapping
