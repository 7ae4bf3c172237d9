// ${env.NAME} substitution: Elastic Agent's env provider syntax, resolved from a lookup the test
// owns, with errors that name the variable and the key and never a value.
#include "common/policy_vars.h"

#include <gtest/gtest.h>

#include <map>

namespace misp::policy_vars {
namespace {

Lookup fake_env() {
  static const std::map<std::string, std::string> env = {{"MISP_URL", "https://misp.example"},
                                                         {"TOKEN", "s3cr3t"},
                                                         {"EMPTY", ""},
                                                         {"PORT", "8443"},
                                                         {"LITERAL", "${env.TOKEN}"}};
  return [](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

struct Case {
  const char* name;
  const char* text;
  const char* expected;  // the substituted text, or the failure message
  bool ok;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class Substitute : public ::testing::TestWithParam<Case> {};

TEST_P(Substitute, AsElasticAgentDoes) {
  auto r = substitute(GetParam().text, fake_env());
  if (GetParam().ok) {
    ASSERT_TRUE(std::holds_alternative<std::string>(r)) << std::get<Failure>(r).message;
    EXPECT_EQ(std::get<std::string>(r), GetParam().expected);
  } else {
    ASSERT_TRUE(std::holds_alternative<Failure>(r)) << std::get<std::string>(r);
    EXPECT_EQ(std::get<Failure>(r).message, GetParam().expected);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, Substitute,
    ::testing::Values(
        Case{"Plain", "no variables here", "no variables here", true},
        Case{"Whole", "${env.TOKEN}", "s3cr3t", true},
        Case{"Middle", "${env.MISP_URL}:${env.PORT}/misp", "https://misp.example:8443/misp", true},
        Case{"Spaces", "${ env.TOKEN }", "s3cr3t", true},
        Case{"EmptyIsSet", "[${env.EMPTY}]", "[]", true},
        Case{"FirstSetAlternative", "${env.NOPE|env.TOKEN}", "s3cr3t", true},
        Case{"ConstantFallback", "${env.NOPE|'fallback|with bar'}", "fallback|with bar", true},
        Case{"DoubleQuotedConstant", "${env.NOPE|\"x\"}", "x", true},
        Case{"EscapedDollar", "$${env.TOKEN}", "${env.TOKEN}", true},
        Case{"LoneDoubleDollar", "pa$$word", "pa$$word", true},
        Case{"InsertedValueNotRescanned", "${env.LITERAL}", "${env.TOKEN}", true},
        Case{"Unset", "x${env.MISSING}y",
             "environment variable MISSING is not set (${env.MISSING})", false},
        Case{"AllAlternativesUnset", "${env.A|env.B}",
             "environment variables A, B are not set (${env.A|env.B})", false},
        Case{"OtherProvider", "${host.name}",
             "uses ${host.name}: only ${env.NAME} (Elastic Agent's env provider) is supported; "
             "write $${ for a literal ${",
             false},
        Case{"Unterminated", "abc${env.TOKEN",
             "has an unterminated ${ (write $${ for a literal ${)", false}));

TEST(Substitute, FailureNamesTheVariable) {
  auto r = substitute("${env.MISSING}", fake_env());
  ASSERT_TRUE(std::holds_alternative<Failure>(r));
  EXPECT_EQ(std::get<Failure>(r).variable, "MISSING");
}

// escape() is substitute()'s inverse: a literal with "${" survives a round trip.
TEST(Escape, RoundTrips) {
  for (std::string literal : {"/data/${HOME}/x", "plain", "$${", "a$b{c"}) {
    auto r = substitute(escape(literal), fake_env());
    ASSERT_TRUE(std::holds_alternative<std::string>(r)) << literal;
    EXPECT_EQ(std::get<std::string>(r), literal);
  }
}

// Every scalar value of a tree is substituted in place, a quoted scalar stays quoted, keys are
// left alone, and a failure carries the key path.
TEST(SubstituteTree, ValuesInPlaceWithKeyPaths) {
  YAML::Node n = YAML::Load(
      "url: ${env.MISP_URL}\n"
      "port: \"${env.PORT}\"\n"
      "${env.TOKEN}: key untouched\n"
      "ssl:\n  certificate_authorities:\n    - /etc/${env.PORT}.pem\n");
  ASSERT_FALSE(substitute_tree(n, fake_env(), ""));
  EXPECT_EQ(n["url"].Scalar(), "https://misp.example");
  EXPECT_EQ(n["port"].Scalar(), "8443");
  EXPECT_EQ(n["port"].Tag(), "!");
  EXPECT_EQ(n["${env.TOKEN}"].Scalar(), "key untouched");
  EXPECT_EQ(n["ssl"]["certificate_authorities"][0].Scalar(), "/etc/8443.pem");

  YAML::Node bad = YAML::Load("filters:\n  tags:\n    OR: [a, \"${env.NOPE}\"]\n");
  auto f = substitute_tree(bad, fake_env(), "");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->key, "filters.tags.OR[1]");
  EXPECT_EQ(f->message, "environment variable NOPE is not set (${env.NOPE})");
}

// A value reached twice through a YAML alias is substituted once ($${ is not unescaped twice).
TEST(SubstituteTree, AliasSubstitutedOnce) {
  YAML::Node n = YAML::Load("a: &x \"$${env.TOKEN}\"\nb: *x\n");
  ASSERT_FALSE(substitute_tree(n, fake_env(), ""));
  EXPECT_EQ(n["a"].Scalar(), "${env.TOKEN}");
  EXPECT_EQ(n["b"].Scalar(), "${env.TOKEN}");
}

}  // namespace
}  // namespace misp::policy_vars
