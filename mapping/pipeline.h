// The ingest-pipeline machinery both MISP pipelines are written in: a mutable document (`ctx`)
// and the processors they use, each with Elasticsearch's semantics and failure messages.
// A failing processor throws ProcessorFailure; the pipeline's on_failure turns it into a
// pipeline_error document (run_on_failure), as Elasticsearch does, keeping the partial ctx.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "mapping/es/date.h"
#include "mapping/json/path.h"
#include "mapping/json/value.h"

namespace misp::mapping {

struct ProcessorFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Ctx {
 public:
  Ctx(json::Doc& doc, json::Value& root, std::string_view pipeline)
      : doc_(doc), root_(root), pipeline_(pipeline) {}

  json::Doc& doc() { return doc_; }
  json::Value& root() { return root_; }
  // Call after changing the tree other than through Ctx in a way that replaces or drops an object
  // (or after replacing the root): parents resolved before may no longer be on their paths.
  void forget_parents() { parents_size_ = 0; }
  json::Value* get(std::string_view path);
  bool has(std::string_view path) { return get(path) != nullptr; }
  bool non_null(std::string_view path);
  // The string at path, or an empty view when absent or not a string.
  std::string_view str(std::string_view path);

  void set(std::string_view path, json::Value v);
  void set(std::string_view path, std::string_view s) { set(path, json::Value::string_view(s)); }
  void set_copy(std::string_view path, std::string_view s) { set(path, doc_.new_string(s)); }
  // `append`: creates a list, or turns a scalar into a list; allow_duplicates=false skips values
  // already present.
  void append(std::string_view path, std::string_view s, bool allow_duplicates = true);
  // `rename`: fails when from is missing (unless ignore_missing) or to already exists.
  void rename(std::string_view from, std::string_view to, bool ignore_missing = true);
  void remove(std::string_view path);
  // `convert` type long in place (or into target). ignore_missing covers missing and null.
  void convert_long(std::string_view path, std::string_view target = {},
                    bool ignore_missing = true);
  // `date` into target (same field when empty). Returns false when the field was missing.
  // Throws ProcessorFailure("unable to parse date [v]") on a bad value.
  bool date(std::string_view path, std::string_view target,
            std::initializer_list<es::DateFormat> formats);
  // A `date` processor whose own on_failure appends the formatted error and carries on, and, when
  // remove_on_failure is set, removes the field (as the MISP pipelines' attribute dates do).
  void date_or_note(std::string_view path, std::string_view target,
                    std::initializer_list<es::DateFormat> formats, std::string_view tag,
                    bool remove_on_failure = false);

  // Pipeline-level on_failure of both MISP pipelines.
  void run_on_failure(std::string_view message);

 private:
  // A pipeline reaches the same few parents (misp.attribute, threat.indicator, ...) dozens of
  // times per document. Each is resolved once and kept by its Object, whose address is stable
  // while it stays in the tree (members move when a vector grows; the Object does not). Anything
  // that replaces or drops an object forgets them all: rare, and always correct.
  struct Parent {
    std::string_view path;  // copied into the document's arena
    json::Object* object;
  };
  // The object at parent_path, or nullptr when it is missing or not an object.
  json::Object* parent(std::string_view parent_path);

  json::Doc& doc_;
  json::Value& root_;
  std::string_view pipeline_;
  Parent parents_[12];
  unsigned parents_size_ = 0, parents_next_ = 0;
};

// Painless null cleanup of both pipelines: drop map entries whose value is null, recursively;
// null list elements are kept.
void remove_nulls(json::Value& v);

// Fleet's final pipeline: event.original goes unless tags contain preserve_original_event.
void fleet_final_pipeline(json::Value& root);

}  // namespace misp::mapping
