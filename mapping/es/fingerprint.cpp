#include "mapping/es/fingerprint.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "mapping/json/path.h"

namespace misp::mapping::es {

namespace {

using json::Type;
using json::Value;

template <typename T>
void append_le(std::string& out, T v) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // x86-64 and aarch64 are little-endian; Java writes LE here
  out.append(reinterpret_cast<const char*>(b), sizeof(T));
}

void append_leaf(const Value& v, std::string& out) {
  out += '\0';
  switch (v.type) {
    case Type::kNull:
      break;
    case Type::kString:
      out += v.str();
      break;
    case Type::kBool:
      out += v.b ? '\x01' : '\x02';
      break;
    case Type::kInt:
      // JSON integers become Integer when they fit 32 bits, else Long.
      if (v.i >= INT32_MIN && v.i <= INT32_MAX)
        append_le<std::int32_t>(out, static_cast<std::int32_t>(v.i));
      else
        append_le<std::int64_t>(out, v.i);
      break;
    case Type::kDouble:
      append_le<double>(out, v.d);
      break;
    case Type::kUint:
      throw std::invalid_argument("cannot convert object of type [java.math.BigInteger] to bytes");
    default:
      break;
  }
}

void walk(const Value& v, std::string& out) {
  switch (v.type) {
    case Type::kArray:
      for (const auto& e : *v.a) walk(e, out);
      break;
    case Type::kObject: {
      std::vector<const json::Member*> members;
      members.reserve(v.o->size());
      for (const auto& m : *v.o) members.push_back(&m);
      std::sort(members.begin(), members.end(),
                [](const json::Member* a, const json::Member* b) { return a->key < b->key; });
      for (const auto* m : members) {
        out += '\0';
        out += m->key;
        walk(m->value, out);
      }
      break;
    }
    default:
      append_leaf(v, out);
  }
}

void murmur3_x64_128(std::string_view data, std::uint64_t& h1, std::uint64_t& h2) {
  auto rotl = [](std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); };
  auto fmix = [](std::uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
  };
  const std::uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
  h1 = h2 = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size(), blocks = n / 16;
  for (std::size_t i = 0; i < blocks; ++i) {
    std::uint64_t k1, k2;
    std::memcpy(&k1, p + i * 16, 8);
    std::memcpy(&k2, p + i * 16 + 8, 8);
    k1 *= c1, k1 = rotl(k1, 31), k1 *= c2, h1 ^= k1;
    h1 = rotl(h1, 27), h1 += h2, h1 = h1 * 5 + 0x52dce729;
    k2 *= c2, k2 = rotl(k2, 33), k2 *= c1, h2 ^= k2;
    h2 = rotl(h2, 31), h2 += h1, h2 = h2 * 5 + 0x38495ab5;
  }
  const unsigned char* tail = p + blocks * 16;
  std::size_t t = n & 15;
  std::uint64_t k1 = 0, k2 = 0;
  for (std::size_t i = t; i > 8; --i)
    k2 ^= static_cast<std::uint64_t>(tail[i - 1]) << ((i - 9) * 8);
  if (t > 8) k2 *= c2, k2 = rotl(k2, 33), k2 *= c1, h2 ^= k2;
  for (std::size_t i = std::min<std::size_t>(t, 8); i > 0; --i)
    k1 ^= static_cast<std::uint64_t>(tail[i - 1]) << ((i - 1) * 8);
  if (t > 0) k1 *= c1, k1 = rotl(k1, 31), k1 *= c2, h1 ^= k1;
  h1 ^= n, h2 ^= n;
  h1 += h2, h2 += h1;
  h1 = fmix(h1), h2 = fmix(h2);
  h1 += h2, h2 += h1;
}

bool java_has_text(std::string_view s) {
  for (unsigned char c : s)
    if (!(c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F))) return true;
  return false;
}

}  // namespace

static std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  for (; i + 2 < bytes.size(); i += 3) {
    std::uint32_t v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    out += kAlphabet[v >> 18], out += kAlphabet[(v >> 12) & 63], out += kAlphabet[(v >> 6) & 63],
        out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    std::uint32_t v = b[i] << 16;
    out += kAlphabet[v >> 18], out += kAlphabet[(v >> 12) & 63], out += "==";
  } else if (i + 2 == bytes.size()) {
    std::uint32_t v = (b[i] << 16) | (b[i + 1] << 8);
    out += kAlphabet[v >> 18], out += kAlphabet[(v >> 12) & 63], out += kAlphabet[(v >> 6) & 63],
        out += '=';
  }
  return out;
}

static std::string digest_base64(HashMethod method, std::string_view bytes) {
  if (method == HashMethod::kMurmurHash3) {
    std::uint64_t h1, h2;
    murmur3_x64_128(bytes, h1, h2);
    unsigned char be[16];
    for (int k = 0; k < 8; ++k) be[k] = static_cast<unsigned char>(h1 >> (56 - 8 * k));
    for (int k = 0; k < 8; ++k) be[8 + k] = static_cast<unsigned char>(h2 >> (56 - 8 * k));
    return base64({reinterpret_cast<const char*>(be), 16});
  }
  // OpenSSL 3 looks an algorithm up (under a lock) on every EVP_Digest unless it is given one
  // fetched beforehand; these fetched objects are immutable and shared by all threads.
  struct Fetched {
    EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
    EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD* sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
    ~Fetched() {
      for (EVP_MD* m : {md5, sha1, sha256, sha512}) EVP_MD_free(m);
    }
  };
  static const Fetched fetched;
  const EVP_MD* md = method == HashMethod::kMd5      ? fetched.md5
                     : method == HashMethod::kSha1   ? fetched.sha1
                     : method == HashMethod::kSha256 ? fetched.sha256
                                                     : fetched.sha512;
  if (!md) throw std::runtime_error("OpenSSL has no digest for this fingerprint method");
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), out, &len, md, nullptr) != 1)
    throw std::runtime_error("digest failed");
  return base64({reinterpret_cast<const char*>(out), len});
}

std::optional<std::string> fingerprint_stream(const Value& doc,
                                              std::span<const std::string_view> fields,
                                              std::string_view salt, bool ignore_missing) {
  std::vector<std::string_view> sorted(fields.begin(), fields.end());
  std::sort(sorted.begin(), sorted.end());  // ASCII field names: byte order == UTF-16 order
  std::string out;
  if (java_has_text(salt)) out += salt;
  bool found = false;
  for (auto f : sorted) {
    const Value* v = json::get(doc, f);
    if (!v || v->is_null()) {
      if (ignore_missing) continue;
      throw std::invalid_argument("missing field [" + std::string(f) +
                                  "] when calculating fingerprint");
    }
    found = true;
    walk(*v, out);
  }
  if (!found) return std::nullopt;
  return out;
}

std::optional<std::string> fingerprint(const Value& doc, std::span<const std::string_view> fields,
                                       HashMethod method, std::string_view salt,
                                       bool ignore_missing) {
  auto stream = fingerprint_stream(doc, fields, salt, ignore_missing);
  if (!stream) return std::nullopt;
  return digest_base64(method, *stream);
}

}  // namespace misp::mapping::es
