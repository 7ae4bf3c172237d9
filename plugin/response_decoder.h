// One restSearch answer, decoded once: the rows (each an Attribute, or an {"Event":...}) with their
// paging keys, MISP's skipped-row count and its clock. Anything that is not the JSON MISP sends is
// an Error naming what was wrong, so one bad answer fails one poll and nothing else.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "mapping/json/parse.h"
#include "plugin/cursor.h"
#include "plugin/http_client.h"
#include "plugin/result.h"

namespace misp::plugin {

struct DecodedPage {
  std::unique_ptr<json::Doc> doc = std::make_unique<json::Doc>();  // owns the rows
  std::vector<const json::Value*> rows;
  std::vector<RowKey> keys;                 // (timestamp, id) of each row
  std::int64_t skipped = 0;                 // X-Skipped-Elements-Count (0 when absent)
  std::optional<std::int64_t> server_time;  // the Date header, Unix seconds
};

class ResponseDecoder {
 public:
  // attributes: /attributes/restSearch ({"response":{"Attribute":[...]}}), else events.
  // where: the request's URL without credentials, for error messages.
  ResponseDecoder(bool attributes, std::string where);
  Result<DecodedPage> decode(const HttpResponse& response);

 private:
  bool attributes_;
  std::string where_;
  json::Parser parser_;
};

}  // namespace misp::plugin
