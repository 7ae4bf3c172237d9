#include <algorithm>

#include "fields/fields.h"

namespace misp::fields {

const Field* find(Stream stream, std::string_view path) {
  auto all = catalogue(stream);
  auto it = std::lower_bound(all.begin(), all.end(), path,
                             [](const Field& f, std::string_view p) { return f.path < p; });
  if (it != all.end() && it->path == path) return &*it;
  // Values below a flattened field (misp.object.attribute.*) belong to it.
  for (auto dot = path.rfind('.'); dot != std::string_view::npos; dot = path.rfind('.', dot - 1)) {
    std::string_view prefix = path.substr(0, dot);
    auto p = std::lower_bound(all.begin(), all.end(), prefix,
                              [](const Field& f, std::string_view x) { return f.path < x; });
    if (p != all.end() && p->path == prefix && p->type == "flattened") return &*p;
    if (dot == 0) break;
  }
  return nullptr;
}

}  // namespace misp::fields
