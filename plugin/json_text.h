// Reading JSON text in place with simdjson's On-Demand front end, for what must not build a tree
// of a whole body (a restSearch page, a large export): a check that the text is JSON exactly
// where a DOM parse would take it, then members and slices found by walking it. Slices are views
// of the text itself; the text must stay put while they are used.
#pragma once

#include <simdjson.h>

#include <string_view>
#include <vector>

#include "mapping/json/value.h"

namespace misp::plugin::json_text {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// Starts reading text (with SIMDJSON_PADDING readable bytes past its end). Use this, not
// parser.iterate(): the parser is sized for the depth validate() lets through plus the one empty
// container it does not count (simdjson's development checks assert beyond its max_depth).
simdjson::simdjson_result<od::document> iterate(od::parser& parser,
                                                simdjson::padded_string_view text);

// Reads the whole document, every value checked as a DOM parse checks it (structure, numbers,
// literals, escapes, UTF-8, depth 1024, nothing after the root), then rewinds it for reading.
error_code validate(od::document& doc);

// The field's key as a tree holds it (escapes resolved). Consumes the raw key: take key_token()
// first when both are needed.
std::string_view key_of(od::field& field);
// The key as written, quotes included.
std::string_view key_token(od::field& field);

// One member of an object being read: its key (escapes resolved), value and the value's type.
struct Field {
  std::string_view key;
  od::value value;
  od::json_type type;
};
template <typename Item>  // what iterating an od::object yields
error_code read_field(Item&& item, Field& out) {
  od::field field;
  if (auto err = std::move(item).get(field)) return err;
  out.key = key_of(field);
  out.value = field.value();
  return out.value.type().get(out.type);
}

// The value's text, consumed (a scalar with the blanks after it, which JSON allows).
error_code text_of(od::value& v, std::string_view& out);

// A list's elements as slices, with each one's type.
struct Element {
  std::string_view text;
  json::Type type;
};
error_code elements_of(od::value& v, std::vector<Element>& out);

json::Type type_of(od::json_type t);

// Whether a list's text holds any element.
bool non_empty_list(std::string_view list_text);

}  // namespace misp::plugin::json_text
