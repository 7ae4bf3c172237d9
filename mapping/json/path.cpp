#include "mapping/json/path.h"

#include <charconv>
#include <stdexcept>
#include <string>

namespace misp::json {

namespace {

// Splits off the first segment of path.
std::string_view next_segment(std::string_view& rest) {
  std::size_t i = 0;
  while (i < rest.size() && rest[i] != '.') ++i;  // paths are short: no memchr call
  std::string_view seg = rest.substr(0, i);
  rest = i == rest.size() ? std::string_view{} : rest.substr(i + 1);
  return seg;
}

Value* step(Value& cur, std::string_view seg) {
  if (cur.type == Type::kObject) return find_member(cur, seg);
  if (cur.type == Type::kArray) {
    std::size_t idx = 0;
    auto r = std::from_chars(seg.data(), seg.data() + seg.size(), idx);
    if (r.ec != std::errc() || r.ptr != seg.data() + seg.size() || idx >= cur.a->size())
      return nullptr;
    return &(*cur.a)[idx];
  }
  return nullptr;
}

const char* java_type_name(const Value& v) {
  switch (v.type) {
    case Type::kString:
      return "java.lang.String";
    case Type::kBool:
      return "java.lang.Boolean";
    case Type::kInt:
      return "java.lang.Integer";
    case Type::kUint:
      return "java.math.BigInteger";
    case Type::kDouble:
      return "java.lang.Double";
    case Type::kArray:
      return "java.util.ArrayList";
    default:
      return "null";
  }
}

}  // namespace

Value* get(Value& root, std::string_view path) {
  Value* cur = &root;
  while (!path.empty()) {
    cur = step(*cur, next_segment(path));
    if (!cur) return nullptr;
  }
  return cur;
}

const Value* get(const Value& root, std::string_view path) {
  return get(const_cast<Value&>(root), path);
}

void put(Doc& doc, Value& root, std::string_view path, Value v) {
  Value* cur = &root;
  std::string_view rest = path;
  while (true) {
    std::string_view seg = next_segment(rest);
    if (cur->type != Type::kObject) {
      if (cur->type == Type::kNull) {
        throw std::invalid_argument("cannot set [" + std::string(seg) +
                                    "] with null parent as part of path [" + std::string(path) +
                                    "]");
      }
      throw std::invalid_argument("cannot set [" + std::string(seg) +
                                  "] with parent object of type [" + java_type_name(*cur) +
                                  "] as part of path [" + std::string(path) + "]");
    }
    Value* child = find_member(*cur, seg);
    if (rest.empty()) {
      // Keys are copied: callers may build paths in temporaries.
      if (child)
        *child = v;
      else
        cur->o->push_back(Member{doc.copy(seg), v});
      return;
    }
    if (!child) {
      cur->o->push_back(Member{doc.copy(seg), doc.new_object()});
      child = &cur->o->back().value;
    }
    cur = child;
  }
}

bool remove(Value& root, std::string_view path) {
  auto dot = path.rfind('.');
  Value* parent = dot == std::string_view::npos ? &root : get(root, path.substr(0, dot));
  if (!parent) return false;
  std::string_view leaf = dot == std::string_view::npos ? path : path.substr(dot + 1);
  if (parent->type == Type::kObject) return erase_member(*parent, leaf);
  if (parent->type == Type::kArray) {
    std::size_t idx = 0;
    auto r = std::from_chars(leaf.data(), leaf.data() + leaf.size(), idx);
    if (r.ec != std::errc() || r.ptr != leaf.data() + leaf.size() || idx >= parent->a->size())
      return false;
    parent->a->erase(parent->a->begin() + static_cast<std::ptrdiff_t>(idx));
    return true;
  }
  return false;
}

}  // namespace misp::json
