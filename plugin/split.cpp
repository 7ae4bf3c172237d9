#include "plugin/split.h"

#include <string>

#include "mapping/json/write.h"

namespace misp::plugin {

namespace {

using json::Type;
using json::Value;

// The elements a split target yields: a list's objects, or a lone object as one element.
std::vector<const Value*> elements(const Value* target) {
  std::vector<const Value*> out;
  if (!target) return out;
  if (target->is_array()) {
    out.reserve(target->a->size());
    for (const auto& e : *target->a)
      if (e.is_object()) out.push_back(&e);  // httpjson skips scalars in an array split
  } else if (target->is_object()) {
    out.push_back(target);
  }
  return out;
}

// A shallow copy of object with key replaced by value (or removed when value is nullptr and the
// key absent stays absent).
Value with_member(json::Doc& doc, const Value& object, std::string_view key, Value value) {
  Value out = doc.new_object(object.o->size() + 1);
  bool replaced = false;
  for (const auto& m : *object.o) {
    if (m.key == key) {
      out.o->push_back({m.key, value});
      replaced = true;
    } else {
      out.o->push_back(m);
    }
  }
  if (!replaced) out.o->push_back({key, value});
  return out;
}

// Hands over one document at a time. The shallow copies a document is built from live in a
// scratch arena that is emptied after each one, so a 300,000-attribute event costs one body.
class Emitter {
 public:
  explicit Emitter(const EmitDoc& emit) : emit_(emit) {}
  template <typename Build>
  void operator()(Build&& build) {
    Value wrapper = scratch_.new_object(1);
    wrapper.o->push_back({"Event", build(scratch_)});
    emit_(wrapper);
    scratch_.reset();
    ++count_;
  }
  std::size_t count() const { return count_; }

 private:
  const EmitDoc& emit_;
  json::Doc scratch_;
  std::size_t count_ = 0;
};

// An EmitDoc that writes each document's text for an Emit.
EmitDoc as_text(const Emit& emit, std::string& buf) {
  return [&emit, &buf](const Value& doc) {
    buf.clear();
    json::write_go(doc, buf);
    emit(buf);
  };
}

// httpjson: split Event.Object (keep_parent), then Object.Attribute (keep_parent); an empty or
// missing target emits the document as it stands.
void split_objects_cross(const Value& event, const Value* attribute, Emitter& out) {
  auto with_attribute = [&](json::Doc& d) {
    return attribute ? with_member(d, event, "Attribute", *attribute) : event;
  };
  auto objects = elements(json::find_member(event, "Object"));
  if (objects.empty()) {
    out([&](json::Doc& d) { return with_attribute(d); });
    return;
  }
  for (const Value* o : objects) {
    auto attrs = elements(json::find_member(*o, "Attribute"));
    if (attrs.empty()) {
      out([&](json::Doc& d) { return with_member(d, with_attribute(d), "Object", *o); });
      continue;
    }
    for (const Value* oa : attrs)
      out([&](json::Doc& d) {
        return with_member(d, with_attribute(d), "Object", with_member(d, *o, "Attribute", *oa));
      });
  }
}

}  // namespace

std::size_t split_event_docs(const Value& wrapper, SplitMode mode, const EmitDoc& emit) {
  Emitter out(emit);
  const Value* event = json::find_member(wrapper, "Event");
  if (!event || !event->is_object()) return 0;
  auto attrs = elements(json::find_member(*event, "Attribute"));
  const Value* object_field = json::find_member(*event, "Object");
  const Value* attribute_field = json::find_member(*event, "Attribute");

  if (mode == SplitMode::kElasticCrossProduct) {
    if (attrs.empty()) split_objects_cross(*event, nullptr, out);
    for (const Value* a : attrs) split_objects_cross(*event, a, out);
    return out.count();
  }

  for (const Value* a : attrs) {
    out([&](json::Doc& d) {
      Value e = with_member(d, *event, "Attribute", *a);
      return object_field ? with_member(d, e, "Object", d.new_array()) : e;
    });
  }
  bool any_object_attribute = false;
  for (const Value* o : elements(object_field)) {
    for (const Value* oa : elements(json::find_member(*o, "Attribute"))) {
      out([&](json::Doc& d) {
        Value e = with_member(d, *event, "Object", with_member(d, *o, "Attribute", *oa));
        return attribute_field ? with_member(d, e, "Attribute", d.new_array()) : e;
      });
      any_object_attribute = true;
    }
  }
  // An event without any attribute still reaches the pipeline, as it does through httpjson.
  if (attrs.empty() && !any_object_attribute) out([&](json::Doc&) { return *event; });
  return out.count();
}

std::size_t split_events_response_docs(const Value& body, SplitMode mode, const EmitDoc& emit) {
  const Value* list = body.is_array() ? &body : json::find_member(body, "response");
  std::size_t n = 0;
  for (const Value* e : elements(list)) n += split_event_docs(*e, mode, emit);
  return n;
}

std::size_t split_attributes_response_docs(const Value& body, const EmitDoc& emit) {
  const Value* list = &body;
  if (body.is_object()) {
    const Value* response = json::find_member(body, "response");
    list = json::find_member(response ? *response : body, "Attribute");
  }
  std::size_t n = 0;
  for (const Value* a : elements(list)) emit(*a), ++n;
  return n;
}

std::size_t split_event(const Value& wrapper, SplitMode mode, const Emit& emit) {
  std::string buf;
  return split_event_docs(wrapper, mode, as_text(emit, buf));
}

std::size_t split_events_response(const Value& body, SplitMode mode, const Emit& emit) {
  std::string buf;
  return split_events_response_docs(body, mode, as_text(emit, buf));
}

std::size_t split_attributes_response(const Value& body, const Emit& emit) {
  std::string buf;
  return split_attributes_response_docs(body, as_text(emit, buf));
}

}  // namespace misp::plugin
