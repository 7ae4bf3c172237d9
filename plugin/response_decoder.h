// One restSearch answer, decoded once: the rows (each an Attribute, or an {"Event":...}) with their
// paging keys, MISP's skipped-row count and its clock. Anything that is not the JSON MISP sends is
// an Error naming what was wrong, so one bad answer fails one poll and nothing else.
//
// The body is read in place (json_text.h): checked through once, then each row is a slice of it,
// parsed when it is mapped. A page costs its text plus, while it is decoded, simdjson's index of
// it; not a tree of every row (about six times the text).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/cursor.h"
#include "plugin/http_client.h"
#include "plugin/result.h"

namespace misp::plugin {

struct DecodedPage {
  std::unique_ptr<std::string> body;        // the answer's text, which rows are slices of
  std::vector<std::string_view> rows;       // each row's JSON text
  std::vector<RowKey> keys;                 // (timestamp, id) of each row
  std::int64_t skipped = 0;                 // X-Skipped-Elements-Count (0 when absent)
  std::optional<std::int64_t> server_time;  // the Date header, Unix seconds

  // Bytes readable past a row's end (what simdjson may read past the text it parses).
  std::size_t readable_after(std::string_view row) const {
    return static_cast<std::size_t>(body->data() + body->capacity() - (row.data() + row.size()));
  }
};

class ResponseDecoder {
 public:
  // attributes: /attributes/restSearch ({"response":{"Attribute":[...]}}), else events.
  // where: the request's URL without credentials, for error messages.
  ResponseDecoder(bool attributes, std::string where);
  // Takes the response's body (the page keeps it).
  Result<DecodedPage> decode(HttpResponse&& response);

 private:
  bool attributes_;
  std::string where_;
};

}  // namespace misp::plugin
