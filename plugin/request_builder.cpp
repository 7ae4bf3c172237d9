#include "plugin/request_builder.h"

namespace misp::plugin {

RequestBuilder::RequestBuilder(const Config& config)
    : base_(nlohmann::json::parse(config.filters_json)) {  // produced by parse_config: valid
  const bool attributes = config.dataset == mapping::Dataset::kThreatAttributes;
  base_["returnFormat"] = "json";
  // Keyset paging needs MISP's order to be exactly the pager's: (timestamp, id).
  const std::string model = attributes ? "Attribute" : "Event";
  base_["order"] = {model + ".timestamp asc", model + ".id asc"};
  if (attributes) {
    base_["includeDecayScore"] = true;
    if (config.enforce_warning_list) base_["enforceWarninglist"] = 1;
    // Soft deletions are retractions we pass on (docs/divergences.md), unless told otherwise.
    if (!config.strict_elastic_parity && !base_.contains("deleted")) base_["deleted"] = {0, 1};
  }
}

std::string RequestBuilder::body(const PageRequest& request) const {
  nlohmann::json body = base_;
  body["page"] = request.page;
  body["limit"] = request.limit;
  body["timestamp"] = {request.from, request.to};
  return body.dump();
}

}  // namespace misp::plugin
