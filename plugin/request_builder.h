// The body of one restSearch request: the user's filters plus what the poller owns (window, page,
// order) and what each data stream always asks for, as Elastic's integration asks for it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "plugin/config.h"
#include "plugin/pager.h"

namespace misp::plugin {

class RequestBuilder {
 public:
  explicit RequestBuilder(const Config& config);
  std::string body(const PageRequest& request) const;

 private:
  nlohmann::json base_;  // filters and the stream's fixed keys, built once
};

}  // namespace misp::plugin
