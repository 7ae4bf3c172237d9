#include "plugin/input_shape.h"

#include <vector>

#include "mapping/json/parse.h"
#include "mapping/json/write.h"
#include "plugin/split_text.h"

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

const char* type_name(json::Type t) {
  switch (t) {
    case json::Type::kNull:
      return "null";
    case json::Type::kBool:
      return "a boolean";
    case json::Type::kInt:
    case json::Type::kUint:
    case json::Type::kDouble:
      return "a number";
    case json::Type::kString:
      return "a string";
    case json::Type::kArray:
      return "a list";
    case json::Type::kObject:
      return "an object";
  }
  return "a value";
}

const char* type_name(const Value& v) {
  return type_name(v.type);
}

// Where a JSON text stops being well formed, as "line L, column C" prose; empty when its
// brackets and strings balance (simdjson's message is then all there is to say).
std::string where_json_breaks(std::string_view text) {
  struct Open {
    char c;
    std::size_t line, col;
  };
  std::vector<Open> open;
  std::size_t line = 1, col = 0;
  bool in_string = false, escape = false;
  Open string_start{'"', 0, 0};
  auto at = [](std::size_t l, std::size_t c) {
    return "line " + std::to_string(l) + ", column " + std::to_string(c);
  };
  for (char c : text) {
    if (c == '\n') {
      if (in_string) return "a string breaks across lines at " + at(line, col + 1);
      ++line, col = 0;
      continue;
    }
    ++col;
    if (in_string) {
      if (escape)
        escape = false;
      else if (c == '\\')
        escape = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true, string_start = {c, line, col};
    } else if (c == '{' || c == '[') {
      open.push_back({c, line, col});
    } else if (c == '}' || c == ']') {
      if (open.empty() || (open.back().c == '{') != (c == '}'))
        return std::string("unexpected '") + c + "' at " + at(line, col);
      open.pop_back();
    }
  }
  if (in_string)
    return "the input ends at " + at(line, col) + " inside a string opened at " +
           at(string_start.line, string_start.col);
  if (!open.empty())
    return "the input ends at " + at(line, col) + " with " + std::to_string(open.size()) +
           " unclosed object(s) or list(s), the innermost opened at " +
           at(open.back().line, open.back().col) + " (cut short?)";
  return "";
}

bool looks_like_attribute(const Value& v) {
  return v.is_object() && json::find_member(v, "type") &&
         (json::find_member(v, "value") || json::find_member(v, "uuid"));
}

// One parsed JSON value (text is its source, passed on verbatim when already split) found at
// `where`, split by shape. An empty string when it was handled, else why its shape is unknown.
class Dispatch {
 public:
  Dispatch(mapping::Dataset dataset, SplitMode mode, const OnMessage& on_message,
           const OnInputError& on_error)
      : dataset_(dataset), mode_(mode), on_message_(on_message), on_error_(on_error) {}

  bool stopped() const { return stopped_; }

  // v is text's parse; a document passed on whole hands it over (Message::parsed).
  std::string operator()(std::string_view text, Value& v, json::Doc& doc,
                         const std::string& where) {
    where_ = &where;
    n_ = 0;
    return dataset_ == mapping::Dataset::kThreat ? events(text, v, doc) : attributes(text, v);
  }

  // The same split from the text, without a tree of all of it (split_text.h); false when the
  // text is not a shape taken there (nothing was emitted then).
  bool from_text(TextToSplit in, const std::string& where) {
    if (dataset_ == mapping::Dataset::kThreat && mode_ != SplitMode::kPerIndicator) return false;
    where_ = &where;
    n_ = 0;
    const bool events = dataset_ == mapping::Dataset::kThreat;
    auto emit = [this](const Value& doc) { split_one(doc); };
    auto bad_row = [&](std::string_view pointer, std::size_t i, json::Type got) {
      on_error_(Error{Errc::kInputShape,
                      where + ": " + std::string(pointer) + "/" + std::to_string(i),
                      std::string(events ? "an event row" : "an attribute row") +
                          " must be an object, got " + type_name(got)});
    };
    auto stop = [this] { return stopped_; };
    std::string failure;
    bool taken = events ? split_events_text(in, emit, bad_row, stop, failure)
                        : split_attributes_text(in, emit, bad_row, stop, failure);
    if (!failure.empty()) on_error_(Error{Errc::kInputNotJson, where, failure});
    return taken;
  }

 private:
  void split_one(const Value& doc) {
    if (!stopped_ &&
        !on_message_(Message{{}, &doc}, *where_ + ": document " + std::to_string(++n_)))
      stopped_ = true;
  }
  void whole(std::string_view text, Value& parsed) {
    if (!on_message_(Message{text, nullptr, &parsed}, *where_)) stopped_ = true;
  }
  // Reports each row of `list` (at JSON pointer `pointer`) that is not an object: the split
  // skips them as httpjson does, but a file given to map() should not lose rows silently.
  void check_rows(const Value& list, const std::string& pointer, const char* row) {
    if (!list.is_array()) return;
    for (std::size_t i = 0; i < list.a->size(); ++i) {
      const Value& e = (*list.a)[i];
      if (!e.is_object())
        on_error_(Error{Errc::kInputShape, *where_ + ": " + pointer + "/" + std::to_string(i),
                        std::string(row) + " must be an object, got " + type_name(e)});
    }
  }

  std::string events(std::string_view text, Value& v, json::Doc& doc) {
    auto emit = [this](const Value& doc) { split_one(doc); };
    const Value* response = json::find_member(v, "response");
    if (response && response->is_object())
      return "this is an /attributes/restSearch response; map it with --dataset "
             "threat_attributes";
    if (response || v.is_array()) {
      if (response && !response->is_array())
        return std::string("/response: must be a list of events, got ") + type_name(*response);
      check_rows(response ? *response : v, response ? "/response" : "", "an event row");
      split_events_response_docs(v, mode_, emit);
    } else if (const Value* event = json::find_member(v, "Event"); event && event->is_object()) {
      if (already_split(*event))
        whole(text, v);
      else
        split_event_docs(v, mode_, emit);
    } else if (looks_like_event_body(v)) {
      Value wrapper = doc.new_object(1);
      wrapper.o->push_back({"Event", v});
      split_event_docs(wrapper, mode_, emit);
    } else {
      return "not a MISP event, events response or split event document";
    }
    return "";
  }

  std::string attributes(std::string_view text, Value& v) {
    const Value* response = json::find_member(v, "response");
    if (response && response->is_array())
      return "this is an /events/restSearch response; map it with --dataset threat";
    if (response || v.is_array() ||
        (v.is_object() && json::find_member(v, "Attribute") && !looks_like_attribute(v))) {
      if (std::string why = check_attribute_list(v, response); !why.empty()) return why;
      split_attributes_response_docs(v, [this](const Value& doc) { split_one(doc); });
    } else if (looks_like_attribute(v)) {
      whole(text, v);
    } else {
      return "not a MISP attribute or attributes response";
    }
    return "";
  }

  // The list split_attributes_response() reads: rows that are not objects are reported; a list
  // that is missing or not a list is the answer (an empty string when it is one).
  std::string check_attribute_list(const Value& v, const Value* response) {
    if (v.is_array()) return check_rows(v, "", "an attribute row"), "";
    if (response && !response->is_object())
      return std::string("/response: must be an object with an Attribute list, got ") +
             type_name(*response);
    const std::string pointer = response ? "/response/Attribute" : "/Attribute";
    const Value* list = json::find_member(response ? *response : v, "Attribute");
    if (!list) return pointer + ": missing; want a list of attributes";
    if (!list->is_array() && !list->is_object())
      return pointer + ": must be a list of attributes, got " + type_name(*list);
    return check_rows(*list, pointer, "an attribute row"), "";
  }

  mapping::Dataset dataset_;
  SplitMode mode_;
  const OnMessage& on_message_;
  const OnInputError& on_error_;
  const std::string* where_ = nullptr;
  std::size_t n_ = 0;
  bool stopped_ = false;
};

// One NDJSON line, a value of its own, named name:line_no.
void read_line(std::string_view line, std::size_t line_no, const std::string& name,
               json::Parser& parser, Dispatch& dispatch, const OnInputError& on_error) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (trim(line).empty()) return;
  std::string where = name + ":" + std::to_string(line_no), error;
  json::Doc doc;
  Value v;
  if (!parser.parse(line, doc, v, error)) {
    on_error(Error{Errc::kInputNotJson, where, "invalid JSON: " + error});
    return;
  }
  if (std::string why = dispatch(line, v, doc, where); !why.empty())
    on_error(Error{Errc::kInputShape, where, why});
}

// NDJSON: each non-blank line is a value of its own.
void read_lines(std::string_view content, const std::string& name, json::Parser& parser,
                Dispatch& dispatch, const OnInputError& on_error) {
  std::size_t line_no = 0, pos = 0;
  while (pos <= content.size() && !dispatch.stopped()) {
    auto nl = content.find('\n', pos);
    std::string_view line =
        content.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? content.size() + 1 : nl + 1;
    read_line(line, ++line_no, name, parser, dispatch, on_error);
  }
}

// NDJSON when either of the first two non-blank lines is JSON of its own; a pretty-printed
// document (cut short or otherwise broken) has neither, and its lines are not documents.
// (lines = 1: when the first one parses and another non-blank line follows, the text is no single
// JSON value: NDJSON for certain.)
bool first_lines_parse(std::string_view content, json::Parser& parser, std::size_t lines = 2) {
  std::size_t pos = 0, seen = 0;
  while (pos < content.size() && seen < lines) {
    auto nl = content.find('\n', pos);
    std::string_view line = trim(content.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
    pos = nl == std::string_view::npos ? content.size() : nl + 1;
    if (line.empty()) continue;
    ++seen;
    json::Doc doc;
    Value v;
    std::string error;
    if (parser.parse(line, doc, v, error)) return true;
  }
  return false;
}

// Counts the non-blank complete lines (those ending in '\n') of a text that grows, up to two,
// looking at each byte once: a one-line document of 100 MB read in 1 MiB chunks is not scanned
// again from its start after every chunk.
class CompleteLines {
 public:
  int count(std::string_view text) {
    while (seen_ < 2) {
      auto nl = text.find('\n', scanned_);
      if (nl == std::string_view::npos) {
        scanned_ = text.size();
        break;
      }
      if (!trim(text.substr(line_start_, nl - line_start_)).empty()) ++seen_;
      line_start_ = scanned_ = nl + 1;
    }
    return seen_;
  }

 private:
  std::size_t scanned_ = 0, line_start_ = 0;
  int seen_ = 0;
};

}  // namespace

std::string_view text_of(const Message& m, std::string& buf) {
  if (!m.tree) return m.text;
  buf.clear();
  json::write_go(*m.tree, buf);
  return buf;
}

bool read_input(std::string_view content, const std::string& name, mapping::Dataset dataset,
                SplitMode mode, const OnMessage& on_message, const OnInputError& on_error,
                const TextInput& how) {
  Dispatch dispatch(dataset, mode, on_message, on_error);
  std::string_view whole = trim(content);
  if (whole.empty()) {
    on_error(Error{Errc::kInputShape, name, "empty input: want MISP JSON or NDJSON"});
    return true;
  }
  if (whole.size() >= how.split_from_text_bytes) {
    std::size_t after =
        static_cast<std::size_t>(content.data() + content.size() - (whole.data() + whole.size()));
    if (dispatch.from_text({whole, after + how.readable_after}, name)) return !dispatch.stopped();
  }
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
    if (!first_lines_parse(whole, parser)) {  // one document, broken: one error, no fragments
      if (probe_error.ends_with('.')) probe_error.pop_back();
      std::string where = where_json_breaks(whole);
      on_error(Error{Errc::kInputNotJson, name,
                     "invalid JSON: " + probe_error + (where.empty() ? "" : "; " + where)});
      return true;
    }
  }
  read_lines(content, name, parser, dispatch, on_error);
  return !dispatch.stopped();
}

bool read_input_stream(const Reader& read, const std::string& name, mapping::Dataset dataset,
                       SplitMode mode, const OnMessage& on_message, const OnInputError& on_error,
                       const TextInput& how) {
  constexpr std::size_t kChunk = 1 << 20;
  std::string buf;
  bool at_end = false, read_failed = false;
  auto fill = [&] {  // one more chunk at the end of buf; false at the end of the input
    if (at_end) return false;
    std::size_t old = buf.size();
    buf.resize(old + kChunk);
    std::int64_t n = read(buf.data() + old, kChunk);
    buf.resize(old + (n > 0 ? static_cast<std::size_t>(n) : 0));
    if (n < 0) read_failed = true;
    if (n <= 0) at_end = true;
    return n > 0;
  };
  auto report_read_failure = [&] {
    if (read_failed)
      on_error(Error{Errc::kInputNotJson, name, "reading the input failed part way"});
  };

  // NDJSON for certain when the first non-blank line is a value of its own and another follows.
  // Anything else (one document, broken or not; or an input so short it is read whole anyway)
  // goes to read_input() whole, so both entries tell shapes and errors alike.
  json::Parser parser;
  CompleteLines lines;
  while (lines.count(buf) < 2 && fill()) {
  }
  bool ndjson = !at_end && first_lines_parse(buf, parser, 1);
  if (!ndjson) {
    while (fill()) {
    }
    buf.reserve(buf.size() + kTextPadding);  // so a large body is split in place, not copied
    bool go_on = read_input(buf, name, dataset, mode, on_message, on_error,
                            {how.split_from_text_bytes, buf.capacity() - buf.size()});
    report_read_failure();
    return go_on;
  }

  // NDJSON as it arrives: whole lines are mapped and dropped; the partial last line waits.
  Dispatch dispatch(dataset, mode, on_message, on_error);
  std::size_t line_no = 0, pos = 0;
  while (!dispatch.stopped()) {
    auto nl = buf.find('\n', pos);
    if (nl != std::string::npos) {
      read_line(std::string_view(buf).substr(pos, nl - pos), ++line_no, name, parser, dispatch,
                on_error);
      pos = nl + 1;
      continue;
    }
    buf.erase(0, pos), pos = 0;
    if (!fill()) {
      read_line(buf, ++line_no, name, parser, dispatch, on_error);
      break;
    }
  }
  report_read_failure();
  return !dispatch.stopped();
}

}  // namespace misp::plugin
