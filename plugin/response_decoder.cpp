#include "plugin/response_decoder.h"

#include <charconv>

#include "mapping/json/write.h"
#include "plugin/http_date.h"
#include "plugin/server_text.h"

namespace misp::plugin {

namespace {

using json::Value;

// MISP sends ids and timestamps as strings of digits; feeds and PyMISP sometimes as numbers.
std::optional<std::int64_t> as_int(const Value* v) {
  if (!v) return std::nullopt;
  if (v->type == json::Type::kInt) return v->i;
  if (v->is_string()) {
    std::int64_t out = 0;
    auto s = v->str();
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty()) return out;
  }
  return std::nullopt;
}

// A member's value as the server sent it, for a message: compact JSON, escaped and cut.
std::string shown(const Value* v) {
  if (!v) return "absent";
  std::string out;
  json::write(*v, out);
  return server_text(out, 64);
}

// Why a row cannot be placed in the (timestamp, id) order, naming it by its position, id and uuid.
std::string unplaceable(std::size_t n, const Value& item, bool ts_ok, bool id_ok) {
  std::string s = "row " + std::to_string(n) + " (id " + shown(json::find_member(item, "id")) +
                  ", uuid " + shown(json::find_member(item, "uuid")) + ") has ";
  if (!ts_ok)
    s += "timestamp " + shown(json::find_member(item, "timestamp")) +
         ", not a whole number of seconds";
  if (!ts_ok && !id_ok) s += ", and ";
  if (!id_ok) s += "id " + shown(json::find_member(item, "id")) + ", not a whole number";
  return s + "; the poll cannot move past it (fix the row in MISP, or filter it out)";
}

bool looks_like_html(std::string_view body) {
  while (!body.empty() && (body.front() == ' ' || body.front() == '\n' || body.front() == '\r'))
    body.remove_prefix(1);
  return body.starts_with("<");
}

}  // namespace

ResponseDecoder::ResponseDecoder(bool attributes, std::string where)
    : attributes_(attributes), where_(std::move(where)) {}

Result<DecodedPage> ResponseDecoder::decode(const HttpResponse& response) {
  DecodedPage page;
  Value body;
  std::string perr;
  if (!parser_.parse(response.body, *page.doc, body, perr))
    return Error{Errc::kDecode, where_,
                 looks_like_html(response.body)
                     ? "MISP answered with an HTML page, not JSON (a proxy or login page?)"
                     : "response is not valid JSON: " + perr};
  const Value* field = json::find_member(body, "response");
  const Value* rows = field && attributes_ ? json::find_member(*field, "Attribute") : field;
  if (!rows || !rows->is_array())
    return Error{
        Errc::kDecode, where_,
        attributes_ ? "response has no response.Attribute list" : "response has no response list"};
  page.rows.reserve(rows->a->size());
  page.keys.reserve(rows->a->size());
  for (const Value& row : *rows->a) {
    const Value* item = attributes_ ? &row : json::find_member(row, "Event");
    if (!item || item->type != json::Type::kObject)
      return Error{Errc::kDecode, where_,
                   "row " + std::to_string(page.keys.size()) + " is not " +
                       (attributes_ ? "an attribute object" : "an {\"Event\": {...}} object")};
    auto ts = as_int(json::find_member(*item, "timestamp"));
    auto id = as_int(json::find_member(*item, "id"));
    if (!ts || !id)
      return Error{Errc::kDecode, where_,
                   unplaceable(page.keys.size(), *item, ts.has_value(), id.has_value())};
    page.rows.push_back(&row);
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
