// The indicator-type table of the pipelines reference (section 4), restated as code; see the
// header.
#include "tests/conformance/section4_expected.h"

#include <algorithm>
#include <cctype>
#include <functional>

namespace misp::test {

using Json = nlohmann::json;
using mapping::Dataset;

namespace {

const std::set<std::string> kHashTypes = {
    "md5",    "impfuzzy",   "imphash",    "pehash",   "sha1",     "sha224",
    "sha256", "sha3-224",   "sha3-256",   "sha3-384", "sha3-512", "sha384",
    "sha512", "sha512/224", "sha512/256", "ssdeep",   "tlsh",     "vhash"};

// uri_parts for the URL forms the data file holds, as java.net.URI splits them:
// [scheme ":"] ["//" host [":" port]] path ["?" query] ["#" fragment]; the extension is what
// follows the last '.' of the last path segment; url.full copies url.original.
Json url_fields(const std::string& v) {
  Json u = Json::object();
  std::string rest = v;
  auto colon = rest.find(':');
  if (colon != std::string::npos && colon < rest.find_first_of("/?#")) {
    u["scheme"] = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  }
  if (rest.starts_with("//")) {
    auto end = rest.find_first_of("/?#", 2);
    std::string host = rest.substr(2, end == std::string::npos ? std::string::npos : end - 2);
    rest = end == std::string::npos ? "" : rest.substr(end);
    if (auto p = host.rfind(':'); p != std::string::npos) {
      u["port"] = std::stoll(host.substr(p + 1));
      host.resize(p);
    }
    u["domain"] = host;
  }
  if (auto h = rest.find('#'); h != std::string::npos) {
    u["fragment"] = rest.substr(h + 1);
    rest.resize(h);
  }
  if (auto q = rest.find('?'); q != std::string::npos) {
    u["query"] = rest.substr(q + 1);
    rest.resize(q);
  }
  u["path"] = rest;
  auto dot = rest.rfind('.');
  if (dot != std::string::npos && (rest.rfind('/') == std::string::npos || rest.rfind('/') < dot))
    u["extension"] = rest.substr(dot + 1);
  u["original"] = v;
  u["full"] = v;
  return u;
}

// Whether the value, or each side of its first '|', is held by some threat.indicator field.
bool value_survives(const std::string& v, const Json& indicator) {
  std::set<std::string> held;
  std::function<void(const Json&)> walk = [&](const Json& j) {
    if (j.is_object()) {
      for (const auto& [k, x] : j.items())
        if (k != "type") walk(x);
    } else {
      held.insert(j.is_string() ? j.get<std::string>() : j.dump());
    }
  };
  walk(indicator);
  if (held.count(v)) return true;
  return v.find('|') != std::string::npos && held.count(before_bar(v)) && held.count(after_bar(v));
}

}  // namespace

// Section 4 row by row, in the pipelines' processor order; a later `set` overwrites an earlier one.
Section4Expected elastic_expected(const std::string& t, const std::string& v, Dataset dataset) {
  const bool attributes = dataset == Dataset::kThreatAttributes;
  Json ind = Json::object();
  // md5 ... vhash: file; rename -> file.hash.<type>.
  if (kHashTypes.count(t)) {
    ind["type"] = "file";
    ind["file"]["hash"][t] = v;
  }
  // filename: file; rename -> file.name.
  if (t == "filename") {
    ind["type"] = "file";
    ind["file"]["name"] = v;
  }
  // Any type starting "filename": file. filename|<h>: the hash type is the %{WORD} after the
  // '|' (WORD stops at '-' and '/'), the name is the lazy %{DATA} before the first '|' of the
  // value, the hash the rest.
  if (t.starts_with("filename")) {
    ind["type"] = "file";
    if (t.starts_with("filename|")) {
      std::string word = t.substr(9);
      word.resize(std::find_if(word.begin(), word.end(),
                               [](unsigned char c) { return !std::isalnum(c) && c != '_'; }) -
                  word.begin());
      ind["file"]["name"] = before_bar(v);
      ind["file"]["hash"][word] = after_bar(v);
    }
  }
  // url, link, uri: url; uri_parts. The threat pipeline skips uri_parts for `uri`.
  if (t == "url" || t == "link" || t == "uri") {
    ind["type"] = "url";
    if (attributes || t != "uri") ind["url"] = url_fields(v);
  }
  // regkey*: windows-registry-key. regkey: rename -> registry.key. regkey|value: grok
  // %{DATA:registry.key}\|%{DATA:registry.value}; grok searches unanchored and DATA is lazy, so the
  // trailing DATA matches the empty string.
  if (t.starts_with("regkey")) {
    ind["type"] = "windows-registry-key";
    if (t == "regkey") ind["registry"]["key"] = v;
    if (t == "regkey|value") {
      ind["registry"]["key"] = before_bar(v);
      ind["registry"]["value"] = "";
    }
  }
  // AS: autonomous-system; convert long -> as.number.
  if (t == "AS") {
    ind["type"] = "autonomous-system";
    ind["as"]["number"] = std::stoll(v);
  }
  // hostname, domain*: domain-name; rename -> url.domain, or for domain|ip grok
  // %{DATA:url.domain}\|%{IP:ip}.
  if (t == "hostname" || t.starts_with("domain")) {
    ind["type"] = "domain-name";
    if (t == "domain|ip") {
      ind["url"]["domain"] = before_bar(v);
      ind["ip"] = after_bar(v);
    } else {
      ind["url"]["domain"] = v;
    }
  }
  // ip-src, ip-dst, ip-*|port: ipv4-addr (IPv6 too); rename -> ip, or grok
  // %{IP:ip}\|%{NUMBER:port} and port -> long.
  if (t == "ip-src" || t == "ip-dst" || t == "ip-src|port" || t == "ip-dst|port") {
    ind["type"] = "ipv4-addr";
    if (t.ends_with("|port")) {
      ind["ip"] = before_bar(v);
      ind["port"] = std::stoll(after_bar(v));
    } else {
      ind["ip"] = v;
    }
  }
  // email*: threat_attributes: email-addr for all, email-src/dst -> email.address (copy),
  // email-subject -> email.subject. threat: email-src/dst email-addr (rename -> email.address),
  // every other email* email-message.
  if (t.starts_with("email")) {
    const bool address = t == "email-src" || t == "email-dst";
    ind["type"] = attributes || address ? "email-addr" : "email-message";
    if (address) ind["email"]["address"] = v;
    if (attributes && t == "email-subject") ind["email"]["subject"] = v;
  }
  // mac-address, mac-eui-64: mac-addr; rename -> mac.
  if (t == "mac-address" || t == "mac-eui-64") {
    ind["type"] = "mac-addr";
    ind["mac"] = v;
  }
  // threat_attributes only: mime-type artifact, mutex mutex, cpe software; value not mapped.
  if (attributes && t == "mime-type") ind["type"] = "artifact";
  if (attributes && t == "mutex") ind["type"] = "mutex";
  if (attributes && t == "cpe") ind["type"] = "software";
  // Whenever a type was set, misp.attribute.value is removed at the end.
  return {ind, !ind.contains("type")};
}

Section4Expected default_expected(const std::string& type, const std::string& value,
                                  Dataset dataset) {
  Section4Expected e = elastic_expected(type, value, dataset);
  Json& ind = e.indicator;
  // 2: an IPv6 address in ip-src/ip-dst (and their |port forms) is typed ipv6-addr.
  if (ind.value("type", "") == "ipv4-addr" && ind.value("ip", "").find(':') != std::string::npos)
    ind["type"] = "ipv6-addr";
  // 4: the threat stream parses `uri` like url and link.
  if (dataset == Dataset::kThreat && type == "uri") ind["url"] = url_fields(value);
  // 7: a value Elastic types but stores nowhere (or only in part) stays in misp.attribute.value.
  if (ind.contains("type") && !value_survives(value, ind)) e.keeps_value = true;
  return e;
}

const std::set<std::string>& section4_hash_types() {
  return kHashTypes;
}

}  // namespace misp::test
