#include "mapping/json/parse.h"

#include <simdjson.h>

namespace misp::json {

struct Parser::Impl {
  simdjson::dom::parser parser;
  std::string padded;  // reused copy with SIMDJSON_PADDING bytes of slack
};

namespace {

Value convert(Doc& doc, simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      auto obj = e.get_object().value_unsafe();
      Value out = doc.new_object(obj.size());
      for (auto field : obj) out.o->push_back(Member{field.key, convert(doc, field.value)});
      return out;
    }
    case element_type::ARRAY: {
      auto arr = e.get_array().value_unsafe();
      Value out = doc.new_array(arr.size());
      for (auto item : arr) out.a->push_back(convert(doc, item));
      return out;
    }
    case element_type::STRING:
      return Value::string_view(e.get_string().value_unsafe());
    case element_type::INT64:
      return Value::integer(e.get_int64().value_unsafe());
    case element_type::UINT64:
      return Value::unsigned_integer(e.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return Value::real(e.get_double().value_unsafe());
    case element_type::BOOL:
      return Value::boolean(e.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
      return Value::null();
  }
  return Value::null();
}

}  // namespace

Parser::Parser() : impl_(std::make_unique<Impl>()) {}
Parser::~Parser() = default;

bool Parser::parse(std::string_view text, Doc& doc, Value& out, std::string& error) {
  impl_->padded.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  impl_->padded.assign(text.data(), text.size());
  simdjson::dom::element root;
  auto err = impl_->parser.parse(impl_->padded.data(), impl_->padded.size(), false).get(root);
  if (err) {
    error = simdjson::error_message(err);
    return false;
  }
  out = convert(doc, root);
  return true;
}

}  // namespace misp::json
