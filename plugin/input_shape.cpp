#include "plugin/input_shape.h"

#include "mapping/json/parse.h"

namespace misp::plugin {

namespace {

using json::Value;

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool non_empty_list(const Value* v) {
  return v && v->is_array() && !v->a->empty();
}

// A split document already: Attribute and Object are single objects or empty lists.
bool already_split(const Value& event) {
  return !non_empty_list(json::find_member(event, "Attribute")) &&
         !non_empty_list(json::find_member(event, "Object"));
}

bool looks_like_event_body(const Value& v) {
  return v.is_object() && json::find_member(v, "info") &&
         (json::find_member(v, "Attribute") || json::find_member(v, "Object") ||
          json::find_member(v, "uuid"));
}

bool looks_like_attribute(const Value& v) {
  return v.is_object() && json::find_member(v, "type") &&
         (json::find_member(v, "value") || json::find_member(v, "uuid"));
}

// One parsed JSON value (text is its source, passed on verbatim when already split) found at
// `where`, split by shape. An empty string when it was handled, else why its shape is unknown.
class Dispatch {
 public:
  Dispatch(mapping::Dataset dataset, SplitMode mode, const OnMessage& on_message)
      : dataset_(dataset), mode_(mode), on_message_(on_message) {}

  bool stopped() const { return stopped_; }

  std::string operator()(std::string_view text, const Value& v, json::Doc& doc,
                         const std::string& where) {
    where_ = &where;
    n_ = 0;
    return dataset_ == mapping::Dataset::kThreat ? events(text, v, doc) : attributes(text, v);
  }

 private:
  void split_one(std::string_view m) {
    if (!stopped_ && !on_message_(m, *where_ + ": document " + std::to_string(++n_)))
      stopped_ = true;
  }
  void whole(std::string_view text) {
    if (!on_message_(text, *where_)) stopped_ = true;
  }

  std::string events(std::string_view text, const Value& v, json::Doc& doc) {
    auto emit = [this](std::string_view m) { split_one(m); };
    const Value* response = json::find_member(v, "response");
    if (response && response->is_object())
      return "this is an /attributes/restSearch response; map it with --dataset "
             "threat_attributes";
    if (response || v.is_array()) {
      split_events_response(v, mode_, emit);
    } else if (const Value* event = json::find_member(v, "Event"); event && event->is_object()) {
      if (already_split(*event))
        whole(text);
      else
        split_event(v, mode_, emit);
    } else if (looks_like_event_body(v)) {
      Value wrapper = doc.new_object(1);
      wrapper.o->push_back({"Event", v});
      split_event(wrapper, mode_, emit);
    } else {
      return "not a MISP event, events response or split event document";
    }
    return "";
  }

  std::string attributes(std::string_view text, const Value& v) {
    const Value* response = json::find_member(v, "response");
    if (response && response->is_array())
      return "this is an /events/restSearch response; map it with --dataset threat";
    if (response || v.is_array() ||
        (v.is_object() && json::find_member(v, "Attribute") && !looks_like_attribute(v))) {
      split_attributes_response(v, [this](std::string_view m) { split_one(m); });
    } else if (looks_like_attribute(v)) {
      whole(text);
    } else {
      return "not a MISP attribute or attributes response";
    }
    return "";
  }

  mapping::Dataset dataset_;
  SplitMode mode_;
  const OnMessage& on_message_;
  const std::string* where_ = nullptr;
  std::size_t n_ = 0;
  bool stopped_ = false;
};

// NDJSON: each non-blank line is a value of its own, named name:line.
void read_lines(std::string_view content, const std::string& name, json::Parser& parser,
                Dispatch& dispatch, const OnInputError& on_error) {
  std::size_t line_no = 0, pos = 0;
  while (pos <= content.size() && !dispatch.stopped()) {
    auto nl = content.find('\n', pos);
    std::string_view line =
        content.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++line_no;
    pos = nl == std::string_view::npos ? content.size() + 1 : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    std::string where = name + ":" + std::to_string(line_no), error;
    json::Doc doc;
    Value v;
    if (!parser.parse(line, doc, v, error)) {
      on_error(Error{Errc::kInputNotJson, where, "invalid JSON: " + error});
      continue;
    }
    if (std::string why = dispatch(line, v, doc, where); !why.empty())
      on_error(Error{Errc::kInputShape, where, why});
  }
}

}  // namespace

bool read_input(std::string_view content, const std::string& name, mapping::Dataset dataset,
                SplitMode mode, const OnMessage& on_message, const OnInputError& on_error) {
  Dispatch dispatch(dataset, mode, on_message);
  std::string_view whole = trim(content);
  if (whole.empty()) return true;
  json::Parser parser;
  {  // One JSON value, or else NDJSON.
    json::Doc doc;
    Value v;
    std::string probe_error;
    if (parser.parse(whole, doc, v, probe_error)) {
      if (std::string why = dispatch(whole, v, doc, name); !why.empty())
        on_error(Error{Errc::kInputShape, name, why});
      return !dispatch.stopped();
    }
  }
  read_lines(content, name, parser, dispatch, on_error);
  return !dispatch.stopped();
}

}  // namespace misp::plugin
