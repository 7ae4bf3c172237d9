#include "mapping/es/grok.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <map>
#include <stdexcept>

namespace misp::mapping::es {

namespace {

// Verbatim from Elasticsearch's legacy grok-patterns (identical in ecs-v1).
const std::map<std::string, std::string, std::less<>>& bank() {
  static const std::map<std::string, std::string, std::less<>> kBank = {
      {"WORD", R"(\b\w+\b)"},
      {"DATA", R"(.*?)"},
      {"GREEDYDATA", R"(.*)"},
      {"BASE10NUM", R"((?<![0-9.+-])(?>[+-]?(?:(?:[0-9]+(?:\.[0-9]+)?)|(?:\.[0-9]+))))"},
      {"NUMBER", R"((?:%{BASE10NUM}))"},
      {"IPV4",
       R"((?<![0-9])(?:(?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]))(?![0-9]))"},
      {"IP", R"((?:%{IPV6}|%{IPV4}))"},
      {"IPV6",
       R"(((([0-9A-Fa-f]{1,4}:){7}([0-9A-Fa-f]{1,4}|:))|(([0-9A-Fa-f]{1,4}:){6}(:[0-9A-Fa-f]{1,4}|((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))|(([0-9A-Fa-f]{1,4}:){5}(((:[0-9A-Fa-f]{1,4}){1,2})|:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))|(([0-9A-Fa-f]{1,4}:){4}(((:[0-9A-Fa-f]{1,4}){1,3})|((:[0-9A-Fa-f]{1,4})?:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){3}(((:[0-9A-Fa-f]{1,4}){1,4})|((:[0-9A-Fa-f]{1,4}){0,2}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){2}(((:[0-9A-Fa-f]{1,4}){1,5})|((:[0-9A-Fa-f]{1,4}){0,3}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){1}(((:[0-9A-Fa-f]{1,4}){1,6})|((:[0-9A-Fa-f]{1,4}){0,4}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(:(((:[0-9A-Fa-f]{1,4}){1,7})|((:[0-9A-Fa-f]{1,4}){0,5}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:)))(%.+)?)"},
  };
  return kBank;
}

// Expands %{NAME} and %{NAME:field}; named captures become (?<gN>...) with fields[N] = field.
std::string expand(std::string_view pattern, std::vector<std::string>& fields) {
  std::string out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    auto open = pattern.find("%{", i);
    if (open == std::string_view::npos) {
      out += pattern.substr(i);
      break;
    }
    out += pattern.substr(i, open - i);
    auto close = pattern.find('}', open);
    if (close == std::string_view::npos) throw std::invalid_argument("unterminated grok pattern");
    std::string_view spec = pattern.substr(open + 2, close - open - 2);
    auto colon = spec.find(':');
    std::string_view name = spec.substr(0, colon);
    auto it = bank().find(name);
    if (it == bank().end())
      throw std::invalid_argument("Unable to find pattern [" + std::string(name) +
                                  "] in Grok's pattern dictionary");
    std::string body = expand(it->second, fields);
    if (colon == std::string_view::npos) {
      out += "(?:" + body + ")";
    } else {
      fields.emplace_back(spec.substr(colon + 1));
      out += "(?<g" + std::to_string(fields.size() - 1) + ">" + body + ")";
    }
    i = close + 1;
  }
  return out;
}

}  // namespace

struct Grok::Impl {
  pcre2_code* code = nullptr;
  std::vector<std::string> fields;
  std::vector<std::uint32_t> group_numbers;
  ~Impl() { pcre2_code_free(code); }
};

Grok::Grok(std::string_view pattern) : impl_(std::make_unique<Impl>()) {
  std::string regex = expand(pattern, impl_->fields);
  int err = 0;
  PCRE2_SIZE offset = 0;
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.c_str()), regex.size(), 0, &err,
                              &offset, nullptr);
  if (!impl_->code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw std::invalid_argument("bad grok pattern: " + std::string(reinterpret_cast<char*>(msg)));
  }
  pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if absent
  for (std::size_t k = 0; k < impl_->fields.size(); ++k) {
    // Appended, not `"g" + std::to_string(k)`: that trips GCC 12's -Wrestrict false positive
    // inside libstdc++ at -O3 (GCC bug 105329).
    std::string name = "g";
    name += std::to_string(k);
    impl_->group_numbers.push_back(static_cast<std::uint32_t>(
        pcre2_substring_number_from_name(impl_->code, reinterpret_cast<PCRE2_SPTR>(name.c_str()))));
  }
}

Grok::~Grok() = default;
Grok::Grok(Grok&&) noexcept = default;
Grok& Grok::operator=(Grok&&) noexcept = default;

std::optional<std::vector<GrokCapture>> Grok::match(std::string_view subject) const {
  struct MatchData {
    pcre2_match_data* p;
    ~MatchData() { pcre2_match_data_free(p); }
  } md{pcre2_match_data_create_from_pattern(impl_->code, nullptr)};
  int rc = pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                       0, md.p, nullptr);
  if (rc < 0) return std::nullopt;
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.p);
  std::vector<GrokCapture> out;
  for (std::size_t k = 0; k < impl_->fields.size(); ++k) {
    std::uint32_t g = impl_->group_numbers[k];
    if (static_cast<int>(g) >= rc || ov[2 * g] == PCRE2_UNSET) continue;
    out.push_back(
        {impl_->fields[k], std::string(subject.substr(ov[2 * g], ov[2 * g + 1] - ov[2 * g]))});
  }
  return out;
}

}  // namespace misp::mapping::es
