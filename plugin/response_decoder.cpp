#include "plugin/response_decoder.h"

#include <charconv>

#include "mapping/json/parse.h"
#include "mapping/json/write.h"
#include "plugin/http_date.h"
#include "plugin/json_text.h"
#include "plugin/server_text.h"

namespace misp::plugin {

namespace {

namespace od = simdjson::ondemand;
using json_text::Field;

// What the decoder keeps of a row's paging members while it reads them: their text as sent.
struct RowMembers {
  std::optional<std::string_view> timestamp, id, uuid;  // the first of each
};

// A member's text as compact JSON, escaped and cut, for a message ("absent" when missing).
std::string shown(const std::optional<std::string_view>& text) {
  if (!text) return "absent";
  json::Parser parser;
  json::Doc doc;
  json::Value v;
  std::string error, out;
  if (!parser.parse(*text, doc, v, error)) return server_text(*text, 64);
  json::write(v, out);
  return server_text(out, 64);
}

// MISP sends ids and timestamps as strings of digits; feeds and PyMISP sometimes as numbers.
// Anything else (a fraction, a number past int64, text that is not all digits) is no key.
std::optional<std::int64_t> as_int(od::value& v, od::json_type type) {
  std::int64_t out = 0;
  if (type == od::json_type::number) {
    od::number n;
    if (v.get_number().get(n) || n.get_number_type() != od::number_type::signed_integer)
      return std::nullopt;
    return n.get_int64();
  }
  std::string_view s;
  if (type != od::json_type::string || v.get_string().get(s)) return std::nullopt;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty()) return out;
  return std::nullopt;
}

// Why a row cannot be placed in the (timestamp, id) order, naming it by its position, id and uuid.
std::string unplaceable(std::size_t n, const RowMembers& m, bool ts_ok, bool id_ok) {
  std::string s =
      "row " + std::to_string(n) + " (id " + shown(m.id) + ", uuid " + shown(m.uuid) + ") has ";
  if (!ts_ok) s += "timestamp " + shown(m.timestamp) + ", not a whole number of seconds";
  if (!ts_ok && !id_ok) s += ", and ";
  if (!id_ok) s += "id " + shown(m.id) + ", not a whole number";
  return s + "; the poll cannot move past it (fix the row in MISP, or filter it out)";
}

bool looks_like_html(std::string_view body) {
  while (!body.empty() && (body.front() == ' ' || body.front() == '\n' || body.front() == '\r'))
    body.remove_prefix(1);
  return body.starts_with("<");
}

// The row list of a checked body: response (events) or response.Attribute (attributes), the
// first of each name as a tree's find_member would take it. False when it is not a list.
bool find_rows(od::document& doc, bool attributes, std::vector<json_text::Element>& rows) {
  od::json_type type;
  od::object root;
  if (doc.type().get(type) || type != od::json_type::object || doc.get_object().get(root))
    return false;
  for (auto item : root) {
    Field f;
    if (json_text::read_field(item, f)) return false;
    if (f.key != "response") continue;
    if (!attributes)
      return f.type == od::json_type::array && !json_text::elements_of(f.value, rows);
    od::object response;
    if (f.type != od::json_type::object || f.value.get_object().get(response)) return false;
    for (auto member : response) {
      Field m;
      if (json_text::read_field(member, m)) return false;
      if (m.key == "Attribute")
        return m.type == od::json_type::array && !json_text::elements_of(m.value, rows);
    }
    return false;
  }
  return false;
}

// The paging members of one row object (for events, of its first "Event"); false when the row
// (or its Event) is not an object.
bool read_row(od::parser& parser, std::string_view row, std::size_t readable_after, bool attributes,
              RowMembers& m, std::optional<std::int64_t>& ts, std::optional<std::int64_t>& id) {
  od::document doc;
  od::object item;
  if (json_text::iterate(
          parser, simdjson::padded_string_view(row.data(), row.size(), row.size() + readable_after))
          .get(doc) ||
      doc.get_object().get(item))
    return false;
  if (!attributes) {
    bool found = false;
    for (auto member : item) {
      Field f;
      if (json_text::read_field(member, f)) return false;
      if (f.key != "Event") continue;
      if (f.type != od::json_type::object || f.value.get_object().get(item)) return false;
      found = true;
      break;
    }
    if (!found) return false;
  }
  for (auto member : item) {
    Field f;
    if (json_text::read_field(member, f)) return false;
    auto keep = [&](std::optional<std::string_view>& text, std::optional<std::int64_t>* value) {
      if (text) return;  // the first one counts
      std::string_view t;
      if (f.type == od::json_type::object || f.type == od::json_type::array) {
        if (!json_text::text_of(f.value, t)) text = t;  // no key, but named in a message
        return;
      }
      text = f.value.raw_json_token();  // a scalar's text, before as_int consumes it
      if (value) *value = as_int(f.value, f.type);
    };
    if (f.key == "timestamp") keep(m.timestamp, &ts);
    if (f.key == "id") keep(m.id, &id);
    if (f.key == "uuid") keep(m.uuid, nullptr);
  }
  return true;
}

}  // namespace

ResponseDecoder::ResponseDecoder(bool attributes, std::string where)
    : attributes_(attributes), where_(std::move(where)) {}

Result<DecodedPage> ResponseDecoder::decode(HttpResponse&& response) {
  DecodedPage page;
  page.body = std::make_unique<std::string>(std::move(response.body));
  std::string& body = *page.body;
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  std::vector<json_text::Element> rows;
  {
    od::parser parser;  // the whole page's index: gone before the rows are read
    od::document doc;
    auto err = json_text::iterate(
                   parser, simdjson::padded_string_view(body.data(), body.size(), body.capacity()))
                   .get(doc);
    if (!err) err = json_text::validate(doc);
    if (err)
      return Error{
          Errc::kDecode, where_,
          looks_like_html(body)
              ? "MISP answered with an HTML page, not JSON (a proxy or login page?)"
              : std::string("response is not valid JSON: ") + simdjson::error_message(err)};
    if (!find_rows(doc, attributes_, rows))
      return Error{Errc::kDecode, where_,
                   attributes_ ? "response has no response.Attribute list"
                               : "response has no response list"};
  }
  page.rows.reserve(rows.size());
  page.keys.reserve(rows.size());
  od::parser parser;
  for (const auto& row : rows) {
    RowMembers m;
    std::optional<std::int64_t> ts, id;
    if (row.type != json::Type::kObject ||
        !read_row(parser, row.text, page.readable_after(row.text), attributes_, m, ts, id))
      return Error{Errc::kDecode, where_,
                   "row " + std::to_string(page.keys.size()) + " is not " +
                       (attributes_ ? "an attribute object" : "an {\"Event\": {...}} object")};
    if (!ts || !id)
      return Error{Errc::kDecode, where_,
                   unplaceable(page.keys.size(), m, ts.has_value(), id.has_value())};
    page.rows.push_back(row.text);
    page.keys.push_back({*ts, *id});
  }
  if (auto h = response.header("x-skipped-elements-count"); !h.empty()) {
    auto r = std::from_chars(h.data(), h.data() + h.size(), page.skipped);
    if (r.ec != std::errc() || r.ptr != h.data() + h.size() || page.skipped < 0)
      return Error{Errc::kDecode, where_,
                   "X-Skipped-Elements-Count is not a count of rows: '" + server_text(h, 40) + "'"};
  }
  page.server_time = parse_http_date(response.header("date"));
  return page;
}

}  // namespace misp::plugin
