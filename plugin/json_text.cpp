#include "plugin/json_text.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace misp::plugin::json_text {

using simdjson::SUCCESS;

namespace {

// Reads every value, so the text passes exactly when a DOM parse would take it: structure,
// numbers, literals, escapes (strings with a backslash are unescaped to check them; stage 1
// has checked UTF-8 and control bytes everywhere), the DOM's depth limit and trailing content.
class Validator {
 public:
  // The DOM counts a container's depth once it has a first element and refuses the 1024th level;
  // the count also bounds this recursion.
  static constexpr unsigned kMaxDepth = 1024;

  template <typename V>  // od::value, or od::document for the root
  error_code value(V& v) {
    od::json_type type;
    if (auto err = v.type().get(type)) return err;
    switch (type) {
      case od::json_type::object: {
        od::object o;
        if (auto err = v.get_object().get(o)) return err;
        return object(o);
      }
      case od::json_type::array: {
        od::array a;
        if (auto err = v.get_array().get(a)) return err;
        return array(a);
      }
      case od::json_type::string:
        return string(v);
      case od::json_type::number: {
        od::number n;
        return v.get_number().get(n);
      }
      case od::json_type::boolean: {
        bool b;
        return v.get_bool().get(b);
      }
      case od::json_type::null: {
        bool null = false;
        if (auto err = v.is_null().get(null)) return err;
        return null ? SUCCESS : simdjson::N_ATOM_ERROR;
      }
    }
    return simdjson::TAPE_ERROR;
  }

 private:
  error_code object(od::object& o) {
    Level level(depth_);
    for (auto item : o) {
      if (level.enter()) return simdjson::DEPTH_ERROR;
      od::field field;
      if (auto err = std::move(item).get(field)) return err;
      const char* k = field.key().raw();
      while (*k != '"' && *k != '\\') ++k;
      if (*k == '\\') {
        std::string_view unescaped;
        if (auto err = field.unescaped_key().get(unescaped)) return err;
      }
      od::value v = field.value();
      if (auto err = value(v)) return err;
    }
    return SUCCESS;
  }

  error_code array(od::array& a) {
    Level level(depth_);
    for (auto item : a) {
      if (level.enter()) return simdjson::DEPTH_ERROR;
      od::value v;
      if (auto err = std::move(item).get(v)) return err;
      if (auto err = value(v)) return err;
    }
    return SUCCESS;
  }

  // One container's level: counted at its first element (enter() is true when that is too deep),
  // given back when the container is done.
  class Level {
   public:
    explicit Level(unsigned& depth) : depth_(depth) {}
    ~Level() {
      if (entered_) --depth_;
    }
    Level(const Level&) = delete;
    Level& operator=(const Level&) = delete;
    bool enter() {
      if (entered_) return false;
      entered_ = true;
      return ++depth_ >= kMaxDepth;
    }

   private:
    unsigned& depth_;
    bool entered_ = false;
  };

  template <typename V>
  static error_code string(V& v) {
    std::string_view token;
    if (auto err = raw_token(v, token)) return err;
    if (std::memchr(token.data(), '\\', token.size())) {
      std::string_view s;
      return v.get_string().get(s);
    }
    od::raw_json_string raw;
    return v.get_raw_json_string().get(raw);
  }
  static error_code raw_token(od::value& v, std::string_view& token) {
    token = v.raw_json_token();
    return SUCCESS;
  }
  static error_code raw_token(od::document& d, std::string_view& token) {
    return d.raw_json_token().get(token);
  }

  unsigned depth_ = 0;
};

}  // namespace

simdjson::simdjson_result<od::document> iterate(od::parser& parser,
                                                simdjson::padded_string_view text) {
  constexpr std::size_t kDepth = Validator::kMaxDepth + 2;  // + the empty innermost, + the root
  if (parser.max_depth() < kDepth || parser.capacity() < text.length()) {
    if (auto err = parser.allocate(std::max(text.length(), parser.capacity()), kDepth)) return err;
  }
  return parser.iterate(text);
}

error_code validate(od::document& doc) {
  Validator check;
  if (auto err = check.value(doc)) return err;
  if (doc.current_location().error() == SUCCESS) return simdjson::TRAILING_CONTENT;
  doc.rewind();
  return SUCCESS;
}

json::Type type_of(od::json_type t) {
  switch (t) {
    case od::json_type::object:
      return json::Type::kObject;
    case od::json_type::array:
      return json::Type::kArray;
    case od::json_type::string:
      return json::Type::kString;
    case od::json_type::number:
      return json::Type::kDouble;
    case od::json_type::boolean:
      return json::Type::kBool;
    case od::json_type::null:
      return json::Type::kNull;
  }
  return json::Type::kNull;
}

std::string_view key_of(od::field& field) {
  std::string_view key;
  if (field.unescaped_key().get(key)) return {};
  return key;
}

std::string_view key_token(od::field& field) {
  const char* begin = field.key().raw();
  const char* end = begin;
  while (*end != '"') end += *end == '\\' ? 2 : 1;
  return {begin - 1, static_cast<std::size_t>(end - begin + 2)};
}

error_code text_of(od::value& v, std::string_view& out) {
  od::json_type type;
  if (auto err = v.type().get(type)) return err;
  if (type == od::json_type::object) {
    od::object o;
    if (auto err = v.get_object().get(o)) return err;
    return o.raw_json().get(out);
  }
  if (type == od::json_type::array) {
    od::array a;
    if (auto err = v.get_array().get(a)) return err;
    return a.raw_json().get(out);
  }
  out = v.raw_json_token();
  return SUCCESS;
}

error_code elements_of(od::value& v, std::vector<Element>& out) {
  od::array a;
  if (auto err = v.get_array().get(a)) return err;
  for (auto item : a) {
    od::value e;
    if (auto err = std::move(item).get(e)) return err;
    od::json_type t;
    if (auto err = e.type().get(t)) return err;
    std::string_view text;
    if (auto err = text_of(e, text)) return err;
    out.push_back({text, type_of(t)});
  }
  return SUCCESS;
}

bool non_empty_list(std::string_view list_text) {
  // raw_json() runs to the next token: blanks after the ']' are part of the text.
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!list_text.empty() && blank(list_text.back())) list_text.remove_suffix(1);
  for (std::size_t i = 1; i + 1 < list_text.size(); ++i)
    if (!blank(list_text[i])) return true;
  return false;
}

}  // namespace misp::plugin::json_text
