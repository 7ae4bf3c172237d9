// The secrets the C++ tests hand to the code under test: the values of tests/support/secrets.txt
// (the one list; ctest secrets_scan checks that these agree with it and greps everything the
// suites produced for them, expecting zero hits).
#pragma once

namespace misp::test {

inline constexpr const char* kSecretApiToken = "mispTestSECRETapiKey00000000000000000001";
inline constexpr const char* kSecretProxyPassword = "proxyTestSECRETpw02";
inline constexpr const char* kSecretEsPassword = "esTestSECRETpw03";

}  // namespace misp::test
