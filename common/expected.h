// A value or an error, for the edges of plugin/ and misp-agent alike (C++20 has no
// std::expected). Header-only and free of plugin/ types: each side names its own error type
// (plugin::Error with a numbered code, agent::Error with a policy key path).
#pragma once

#include <utility>
#include <variant>

namespace misp {

template <typename T, typename E>
class Expected {
 public:
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Expected(E error) : v_(std::in_place_index<1>, std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

}  // namespace misp
