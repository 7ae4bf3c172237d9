#include "packaging/agent/input_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <vector>

#include "mapping/json/parse.h"

namespace misp::agent {

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

}  // namespace

bool InputReader::dispatch(std::string_view text, const Value& v, json::Doc& doc,
                           const std::string& where, const OnMessage& on_message,
                           std::string& error, std::size_t& count) {
  std::size_t n = 0;
  auto emit_split = [&](std::string_view m) {
    ++n;
    on_message(m, where + ": document " + std::to_string(n));
  };
  const Value* response = json::find_member(v, "response");
  if (dataset_ == mapping::Dataset::kThreat) {
    if (response && response->is_object()) {
      error = "this is an /attributes/restSearch response; map it with --dataset threat_attributes";
      return false;
    }
    if (response || v.is_array()) {
      n = 0;
      plugin::split_events_response(v, mode_, emit_split);
    } else if (const Value* event = json::find_member(v, "Event"); event && event->is_object()) {
      if (already_split(*event)) {
        on_message(text, where);
        n = 1;
      } else {
        plugin::split_event(v, mode_, emit_split);
      }
    } else if (looks_like_event_body(v)) {
      Value wrapper = doc.new_object(1);
      wrapper.o->push_back({"Event", v});
      plugin::split_event(wrapper, mode_, emit_split);
    } else {
      error = "not a MISP event, events response or split event document";
      return false;
    }
  } else {
    if (response && response->is_array()) {
      error = "this is an /events/restSearch response; map it with --dataset threat";
      return false;
    }
    if (response || v.is_array() ||
        (v.is_object() && json::find_member(v, "Attribute") && !looks_like_attribute(v))) {
      plugin::split_attributes_response(v, emit_split);
    } else if (looks_like_attribute(v)) {
      on_message(text, where);
      n = 1;
    } else {
      error = "not a MISP attribute or attributes response";
      return false;
    }
  }
  count += n;
  return true;
}

ReadStats InputReader::read_text(std::string_view content, const std::string& name,
                                 const OnMessage& on_message,
                                 const std::function<void(const std::string&)>& on_error) {
  ReadStats stats;
  std::string error;
  std::string_view whole = trim(content);
  if (whole.empty()) return stats;
  // One JSON value, or else NDJSON.
  json::Parser parser;
  {
    json::Doc doc;
    Value v;
    std::string probe_error;
    if (parser.parse(whole, doc, v, probe_error)) {
      if (!dispatch(whole, v, doc, name, on_message, error, stats.messages)) {
        on_error(name + ": " + error);
        ++stats.errors;
      }
      return stats;
    }
  }
  std::size_t line_no = 0, pos = 0;
  while (pos <= content.size()) {
    auto nl = content.find('\n', pos);
    std::string_view line =
        content.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++line_no;
    pos = nl == std::string_view::npos ? content.size() + 1 : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    std::string where = name + ":" + std::to_string(line_no);
    json::Doc doc;
    Value v;
    bool ok = parser.parse(line, doc, v, error);
    if (!ok) error = "invalid JSON: " + error;
    if (!ok || !dispatch(line, v, doc, where, on_message, error, stats.messages)) {
      on_error(where + ": " + error);
      ++stats.errors;
    }
  }
  return stats;
}

ReadStats InputReader::read_path(const std::string& path, const OnMessage& on_message,
                                 const std::function<void(const std::string&)>& on_error) {
  namespace fs = std::filesystem;
  if (path == "-") {
    std::string content{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    return read_text(content, "<stdin>", on_message, on_error);
  }
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    // A MISP feed: every <uuid>.json is an event export; the manifest only indexes them.
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(path, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".json" &&
          entry.path().filename() != "manifest.json")
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    ReadStats total;
    if (files.empty()) {
      on_error(path + ": no event files (*.json besides manifest.json) in this directory");
      total.errors = 1;
    }
    for (const auto& f : files) {
      ReadStats s = read_path(f.string(), on_message, on_error);
      total.messages += s.messages;
      total.errors += s.errors;
    }
    return total;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    on_error(path + ": cannot open: " + std::strerror(errno));
    return {0, 1};
  }
  std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return read_text(content, path, on_message, on_error);
}

}  // namespace misp::agent
