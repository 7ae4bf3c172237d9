#include "plugin/split_text.h"

#include <simdjson.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mapping/json/parse.h"
#include "plugin/json_text.h"

namespace misp::plugin {

namespace {

using namespace json_text;  // the On-Demand helpers this file is written in
using json::Value;
using simdjson::SUCCESS;

// The text in a buffer simdjson may read 64 bytes past; copied only when the caller's is short.
class Padded {
 public:
  explicit Padded(TextToSplit in) {
    if (in.readable_after >= simdjson::SIMDJSON_PADDING) {
      view_ = simdjson::padded_string_view(in.text.data(), in.text.size(),
                                           in.text.size() + in.readable_after);
    } else {
      copy_.reserve(in.text.size() + simdjson::SIMDJSON_PADDING);
      copy_.assign(in.text);
      view_ = simdjson::padded_string_view(copy_.data(), copy_.size(), copy_.capacity());
    }
  }
  const simdjson::padded_string_view& view() const { return view_; }
  std::string_view text() const { return view_; }
  // Bytes readable after a slice of the text.
  std::size_t readable_after(std::string_view slice) const {
    return static_cast<std::size_t>(view_.data() + view_.capacity() -
                                    (slice.data() + slice.size()));
  }

 private:
  std::string copy_;
  simdjson::padded_string_view view_;
};

// One event's slices: its members (an Attribute or Object member stands as an empty list) and
// the object elements of the first Attribute and first Object members, which are what the
// tree's split reads (json::find_member finds the first).
struct EventSlices {
  std::string skeleton;  // the event's text with every Attribute and Object member as []
  std::vector<std::string_view> attributes, objects;
};

error_code read_event(od::object& event, EventSlices& out) {
  out.skeleton = "{";
  bool first_attribute = true, first_object = true;
  for (auto item : event) {
    od::field field;
    if (auto err = std::move(item).get(field)) return err;
    if (out.skeleton.size() > 1) out.skeleton += ',';
    out.skeleton += key_token(field);  // first: unescaped_key() consumes the raw key
    std::string_view key = key_of(field);
    out.skeleton += ':';
    od::value v = field.value();
    const bool is_attribute = key == "Attribute", is_object = key == "Object";
    if (!is_attribute && !is_object) {
      std::string_view text;
      if (auto err = text_of(v, text)) return err;
      out.skeleton += text;
      continue;
    }
    out.skeleton += "[]";
    bool& first = is_attribute ? first_attribute : first_object;
    if (!first) continue;  // replaced in every document the split makes, never read
    first = false;
    auto& list = is_attribute ? out.attributes : out.objects;
    od::json_type type;
    if (auto err = v.type().get(type)) return err;
    if (type == od::json_type::object) {  // a lone object is the split's one element
      std::string_view text;
      if (auto err = text_of(v, text)) return err;
      list.push_back(text);
    } else if (type == od::json_type::array) {
      std::vector<Element> elements;
      if (auto err = elements_of(v, elements)) return err;
      for (const auto& e : elements)
        if (e.type == json::Type::kObject) list.push_back(e.text);  // scalars are skipped
    }
  }
  out.skeleton += '}';
  return SUCCESS;
}

// Emits the documents of one row ({"Event": {...}, ...}) from its slices.
}  // namespace

struct EventRowSplitter::Impl {
 public:
  Impl(EmitDoc emit, ShouldStop should_stop)
      : emit_(std::move(emit)), should_stop_(std::move(should_stop)) {}

  // Returns false when the row's text could not be read after all (it was validated: a bug, not
  // input); failure() says where.
  bool row(TextToSplit in) {
    const std::string_view row_text = in.text;
    Padded padded(in);  // the slices below are views of its text
    EventSlices slices;
    bool is_event = false;
    {
      od::document doc;
      if (iterate(parser_, padded.view()).get(doc)) return fail("the row's text");
      od::object row;
      if (doc.get_object().get(row)) return fail("the row");
      for (auto item : row) {
        Field f;
        if (read_field(item, f)) return fail("a member of the row");
        if (f.key != "Event") continue;
        if (f.type == od::json_type::object) {
          od::object o;
          if (f.value.get_object().get(o) || read_event(o, slices)) return fail("the row's Event");
          is_event = true;
        }
        break;  // the first "Event" decides, as find_member does
      }
    }
    if (!is_event) return true;  // split_event_docs makes nothing of it either

    std::string error;
    Value skeleton;
    skeleton_doc_.reset();
    if (!skeleton_parser_.parse(slices.skeleton, skeleton_doc_, skeleton, error))
      return fail("the event without its lists: " + error);
    std::size_t made = 0;
    for (std::string_view a : slices.attributes) {
      if (should_stop_()) return true;
      if (!split_with(skeleton, "Attribute", a, attribute_parser_, made)) return false;
    }
    for (std::string_view o : slices.objects) {
      if (should_stop_()) return true;
      if (!split_with(skeleton, "Object", o, object_parser_, made)) return false;
    }
    if (made == 0) {
      // No attribute anywhere: the event goes whole, as the tree's split sends it (rare, and
      // as small as an event without attributes is). Its text is parsed as it stands.
      Value wrapper;
      batch_doc_.reset();
      if (!attribute_parser_.parse(row_text, batch_doc_, wrapper, error))
        return fail("the event: " + error);
      split_event_docs(wrapper, SplitMode::kPerIndicator, emit_);
    }
    return true;
  }

  const std::string& failure() const { return failure_; }

 private:
  // The documents of one element: the event with `list_name` holding just that element (and the
  // other list empty, as the split makes it anyway). An object without attributes makes none
  // (the tree's split would send the event whole only when no element makes any).
  bool split_with(const Value& skeleton, std::string_view list_name, std::string_view element_text,
                  json::Parser& parser, std::size_t& made) {
    batch_doc_.reset();
    Value element, event = batch_doc_.new_object(skeleton.o->size());
    std::string error;
    if (!parser.parse(element_text, batch_doc_, element, error))
      return fail("an element of " + std::string(list_name) + ": " + error);
    if (list_name == "Object" && !has_elements(json::find_member(element, "Attribute")))
      return true;
    for (const auto& m : *skeleton.o) event.o->push_back(m);
    Value list = batch_doc_.new_array(1);
    list.a->push_back(element);
    *json::find_member(event, list_name) = list;
    Value wrapper = batch_doc_.new_object(1);
    wrapper.o->push_back({"Event", event});
    made += split_event_docs(wrapper, SplitMode::kPerIndicator, emit_);
    return true;
  }

  // What the split's elements() yields anything for: a list holding an object, or an object.
  static bool has_elements(const Value* target) {
    if (!target) return false;
    if (target->is_object()) return true;
    if (!target->is_array()) return false;
    for (const auto& e : *target->a)
      if (e.is_object()) return true;
    return false;
  }

  bool fail(std::string what) {
    failure_ = "could not read " + what + " (valid JSON: this is a bug)";
    return false;
  }

  EmitDoc emit_;
  ShouldStop should_stop_;
  od::parser parser_;  // each row's index, reused
  std::string failure_;
  // Three parsers: each tree's strings live in its parser until that parser's next parse.
  json::Parser skeleton_parser_, attribute_parser_, object_parser_;
  json::Doc skeleton_doc_, batch_doc_;
};

EventRowSplitter::EventRowSplitter(EmitDoc emit, ShouldStop should_stop)
    : impl_(std::make_unique<Impl>(std::move(emit), std::move(should_stop))) {}
EventRowSplitter::~EventRowSplitter() = default;
bool EventRowSplitter::split(TextToSplit row) {
  return impl_->row(row);
}
const std::string& EventRowSplitter::failure() const {
  return impl_->failure();
}

namespace {

// Where the rows are: each one's slice and type, and the list's JSON pointer.
struct Rows {
  std::string pointer;
  std::vector<Element> rows;
};

void report_bad_rows(const Rows& rows, const OnBadRow& on_bad_row) {
  for (std::size_t i = 0; i < rows.rows.size(); ++i)
    if (rows.rows[i].type != json::Type::kObject) on_bad_row(rows.pointer, i, rows.rows[i].type);
}

// A root list holds the rows itself (kList, rows read); a root object is opened to look into.
enum class Root { kList, kObject, kOther };
Root open_root(od::document& doc, Rows& rows, od::object& root) {
  od::json_type type;
  if (doc.type().get(type)) return Root::kOther;
  if (type == od::json_type::array) {
    od::value list;
    return !doc.get_value().get(list) && !elements_of(list, rows.rows) ? Root::kList : Root::kOther;
  }
  if (type != od::json_type::object || doc.get_object().get(root)) return Root::kOther;
  return Root::kObject;
}

// The shape of an events body: rows of {"Event"}, or the whole text as the one row of an export
// (single). False: not a shape taken here.
bool events_shape(od::document& doc, Rows& rows, bool& single) {
  od::object root;
  if (Root r = open_root(doc, rows, root); r != Root::kObject) return r == Root::kList;
  bool seen_response = false, seen_event = false, event_is_split = true;
  for (auto item : root) {
    Field f;
    if (read_field(item, f)) return false;
    if (f.key == "response" && !seen_response) {
      seen_response = true;
      if (f.type != od::json_type::array) return false;  // the tree's path words the error
      rows.pointer = "/response";
      if (elements_of(f.value, rows.rows)) return false;
    } else if (f.key == "Event" && !seen_event) {
      seen_event = true;
      if (f.type != od::json_type::object) continue;
      od::object event;
      if (f.value.get_object().get(event)) return false;
      event_is_split = false;
      bool seen_attribute = false, seen_object = false, any_list = false;
      for (auto member : event) {
        Field m;
        if (read_field(member, m)) return false;
        bool& seen = m.key == "Attribute" ? seen_attribute : seen_object;
        if ((m.key != "Attribute" && m.key != "Object") || seen) continue;
        seen = true;
        std::string_view text;
        if (m.type == od::json_type::array && !text_of(m.value, text) && non_empty_list(text))
          any_list = true;
      }
      event_is_split = !any_list;  // already split: passed on whole by the caller's path
    }
  }
  if (seen_response) return true;
  if (seen_event && !event_is_split) {
    single = true;
    return true;
  }
  return false;
}

bool attributes_shape(od::document& doc, Rows& rows) {
  od::object root;
  if (Root r = open_root(doc, rows, root); r != Root::kObject) return r == Root::kList;
  bool seen_response = false, seen_attribute = false, seen_type = false, seen_value = false;
  std::optional<bool> response_list, top_list;  // the Attribute list found, when a list
  Rows in_response, at_top;
  for (auto item : root) {
    Field f;
    if (read_field(item, f)) return false;
    if (f.key == "type") seen_type = true;
    if (f.key == "value" || f.key == "uuid") seen_value = true;
    if (f.key == "response" && !seen_response) {
      seen_response = true;
      if (f.type != od::json_type::object) return false;
      od::object response;
      if (f.value.get_object().get(response)) return false;
      for (auto member : response) {
        Field m;
        if (read_field(member, m)) return false;
        if (m.key != "Attribute") continue;
        response_list = m.type == od::json_type::array && !elements_of(m.value, in_response.rows);
        break;
      }
    } else if (f.key == "Attribute" && !seen_attribute) {
      seen_attribute = true;
      top_list = f.type == od::json_type::array && !elements_of(f.value, at_top.rows);
    }
  }
  if (seen_response) {
    if (!response_list.value_or(false)) return false;
    rows = std::move(in_response);
    rows.pointer = "/response/Attribute";
    return true;
  }
  if (!seen_attribute || (seen_type && seen_value) || !top_list.value_or(false)) return false;
  rows = std::move(at_top);
  rows.pointer = "/Attribute";
  return true;
}

}  // namespace

bool split_events_text(TextToSplit in, const EmitDoc& emit, const OnBadRow& on_bad_row,
                       const ShouldStop& should_stop, std::string& failure) {
  Padded padded(in);
  Rows rows;
  bool single = false;
  {
    od::parser parser;  // the whole text's index: gone before the first document
    od::document doc;
    if (iterate(parser, padded.view()).get(doc) || validate(doc)) return false;
    if (!events_shape(doc, rows, single)) return false;
  }
  EventRowSplitter splitter(emit, should_stop);
  if (single) {
    if (!splitter.split({padded.text(), padded.readable_after(padded.text())}))
      failure = splitter.failure();
    return true;
  }
  report_bad_rows(rows, on_bad_row);
  for (std::size_t i = 0; i < rows.rows.size() && !should_stop(); ++i) {
    const auto& r = rows.rows[i];
    if (r.type == json::Type::kObject && !splitter.split({r.text, padded.readable_after(r.text)})) {
      failure = rows.pointer + "/" + std::to_string(i) + ": " + splitter.failure();
      break;
    }
  }
  return true;
}

bool split_attributes_text(TextToSplit in, const EmitDoc& emit, const OnBadRow& on_bad_row,
                           const ShouldStop& should_stop, std::string& failure) {
  Padded padded(in);
  Rows rows;
  {
    od::parser parser;
    od::document doc;
    if (iterate(parser, padded.view()).get(doc) || validate(doc)) return false;
    if (!attributes_shape(doc, rows)) return false;
  }
  report_bad_rows(rows, on_bad_row);
  json::Parser parser;
  json::Doc doc;
  for (std::size_t i = 0; i < rows.rows.size() && !should_stop(); ++i) {
    if (rows.rows[i].type != json::Type::kObject) continue;
    doc.reset();
    Value row;
    std::string error;
    if (!parser.parse(rows.rows[i].text, doc, row, error)) {
      failure = rows.pointer + "/" + std::to_string(i) +
                ": could not read the row (valid JSON: " + "this is a bug): " + error;
      break;
    }
    emit(row);
  }
  return true;
}

}  // namespace misp::plugin
