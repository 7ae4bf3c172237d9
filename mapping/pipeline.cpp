#include "mapping/pipeline.h"

#include "mapping/es/convert.h"
#include "mapping/es/java_text.h"
#include "mapping/json/path.h"

namespace misp::mapping {

using json::Type;
using json::Value;

json::Object* Ctx::parent(std::string_view parent_path) {
  for (unsigned i = 0; i < parents_size_; ++i)
    if (parents_[i].path == parent_path) return parents_[i].object;
  // Objects only: a path through a list keeps Elasticsearch's own rules (json::get / put).
  Value* v = &root_;
  for (std::string_view rest = parent_path; v;) {
    if (v->type != Type::kObject) return nullptr;
    auto dot = rest.find('.');
    v = json::find_member(*v->o, rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (!v || v->type != Type::kObject) return nullptr;  // not kept: it may appear later
  Parent p{doc_.copy(parent_path), v->o};
  if (parents_size_ < std::size(parents_)) {
    parents_[parents_size_++] = p;
  } else {
    parents_[parents_next_] = p;
    parents_next_ = (parents_next_ + 1) % std::size(parents_);
  }
  return p.object;
}

json::Value* Ctx::get(std::string_view path) {
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return json::find_member(root_, path);
  if (json::Object* o = parent(path.substr(0, dot)))
    return json::find_member(*o, path.substr(dot + 1));
  return json::get(root_, path);  // through a list, or missing: the general walk says which
}

bool Ctx::non_null(std::string_view path) {
  const Value* v = get(path);
  return v && !v->is_null();
}

std::string_view Ctx::str(std::string_view path) {
  const Value* v = get(path);
  return v && v->is_string() ? v->str() : std::string_view{};
}

void Ctx::set(std::string_view path, Value v) {
  auto dot = path.rfind('.');
  json::Object* o = root_.type != Type::kObject     ? nullptr
                    : dot == std::string_view::npos ? root_.o
                                                    : parent(path.substr(0, dot));
  if (o) {
    std::string_view leaf = dot == std::string_view::npos ? path : path.substr(dot + 1);
    if (Value* existing = json::find_member(*o, leaf)) {
      if (existing->type == Type::kObject) forget_parents();
      *existing = v;
    } else {
      o->push_back(json::Member{doc_.copy(leaf), v});  // callers may build paths in temporaries
    }
    return;
  }
  try {
    json::put(doc_, root_, path, v);
  } catch (const std::invalid_argument& e) {
    throw ProcessorFailure(e.what());
  }
}

void Ctx::remove(std::string_view path) {
  Value* v = get(path);
  if (!v) return;
  if (v->type == Type::kObject) forget_parents();
  json::remove(root_, path);
}

void Ctx::append(std::string_view path, std::string_view s, bool allow_duplicates) {
  Value* cur = get(path);
  Value item = Value::string_view(s);
  if (!cur) {
    Value list = doc_.new_array(1);
    list.a->push_back(item);
    set(path, list);
    return;
  }
  if (cur->type != Type::kArray) {
    Value list = doc_.new_array(2);
    list.a->push_back(*cur);
    *cur = list;
  }
  if (!allow_duplicates) {
    for (const auto& e : *cur->a)
      if (e.is_string() && e.str() == s) return;
  }
  cur->a->push_back(item);
}

void Ctx::rename(std::string_view from, std::string_view to, bool ignore_missing) {
  Value* v = get(from);
  if (!v) {
    if (ignore_missing) return;
    throw ProcessorFailure("field [" + std::string(from) + "] doesn't exist");
  }
  if (has(to)) throw ProcessorFailure("field [" + std::string(to) + "] already exists");
  Value moved = *v;
  json::remove(root_, from);
  set(to, moved);
}

void Ctx::convert_long(std::string_view path, std::string_view target, bool ignore_missing) {
  Value* v = get(path);
  if (!v || v->is_null()) {
    if (ignore_missing) return;
    if (!v)
      throw ProcessorFailure("field [" + std::string(path) + "] not present as part of path [" +
                             std::string(path) + "]");
    throw ProcessorFailure("Field [" + std::string(path) +
                           "] is null, cannot be converted to type [long]");
  }
  auto convert_one = [](const Value& x) -> Value {
    if (x.type == Type::kInt) return x;  // already an Integer/Long
    std::string text = es::java_to_string(x);
    auto n = es::to_long(text);
    if (!n) throw ProcessorFailure("unable to convert [" + text + "] to long");
    return Value::integer(*n);
  };
  Value out;
  if (v->type == Type::kArray) {
    out = doc_.new_array(v->a->size());
    for (const auto& e : *v->a) out.a->push_back(convert_one(e));
  } else {
    out = convert_one(*v);
  }
  set(target.empty() ? path : target, out);
}

bool Ctx::date(std::string_view path, std::string_view target,
               std::initializer_list<es::DateFormat> formats) {
  Value* v = get(path);
  if (!v) return false;
  std::string text = es::java_to_string(*v);
  auto ms = v->is_null() ? std::nullopt : es::parse_date(text, formats);
  if (!ms) throw ProcessorFailure("unable to parse date [" + text + "]");
  set_copy(target.empty() ? path : target, es::format_millis(*ms));
  return true;
}

void Ctx::date_or_note(std::string_view path, std::string_view target,
                       std::initializer_list<es::DateFormat> formats, std::string_view tag,
                       bool remove_on_failure) {
  try {
    date(path, target, formats);
  } catch (const ProcessorFailure& e) {
    if (remove_on_failure) remove(path);
    std::string msg = "Processor date with tag " + std::string(tag) + " in pipeline " +
                      std::string(pipeline_) + " failed with message: " + e.what();
    append("error.message", doc_.copy(msg));
  }
}

void Ctx::run_on_failure(std::string_view message) {
  // Elasticsearch's on_failure sees the document as the failing processor left it.
  try {
    set("event.kind", "pipeline_error");
  } catch (const ProcessorFailure&) {
    forget_parents();
    set_member(root_, "event", doc_.new_object());
    set("event.kind", "pipeline_error");
  }
  append("tags", "preserve_original_event", /*allow_duplicates=*/false);
  append("error.message", doc_.copy(message));
}

void remove_nulls(Value& v) {
  if (v.type == Type::kObject) {
    auto& members = *v.o;
    std::size_t w = 0;
    for (std::size_t r = 0; r < members.size(); ++r) {
      if (members[r].value.is_null()) continue;
      remove_nulls(members[r].value);
      if (w != r) members[w] = members[r];
      ++w;
    }
    members.resize(w);
  } else if (v.type == Type::kArray) {
    for (auto& e : *v.a) remove_nulls(e);
  }
}

void fleet_final_pipeline(Value& root) {
  const Value* tags = json::get(root, "tags");
  bool preserve = false;
  if (tags && tags->type == Type::kArray) {
    for (const auto& t : *tags->a)
      if (t.is_string() && t.str() == "preserve_original_event") preserve = true;
  } else if (tags && tags->is_string()) {
    preserve = tags->str() == "preserve_original_event";
  }
  if (!preserve) json::remove(root, "event.original");
}

}  // namespace misp::mapping
