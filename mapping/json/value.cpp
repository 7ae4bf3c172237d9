#include "mapping/json/value.h"

#include <cstring>
#include <new>

namespace misp::json {

BlockCache::~BlockCache() {
  for (const auto& b : free_) ::operator delete(b.p, std::align_val_t(b.align));
}

void* BlockCache::do_allocate(std::size_t bytes, std::size_t align) {
  for (std::size_t i = free_.size(); i-- > 0;) {
    if (free_[i].bytes == bytes && free_[i].align == align) {
      void* p = free_[i].p;
      free_bytes_ -= bytes;
      free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
      return p;
    }
  }
  return ::operator new(bytes, std::align_val_t(align));
}

void BlockCache::do_deallocate(void* p, std::size_t bytes, std::size_t align) {
  if (free_bytes_ + bytes <= kKeepBytes) {
    try {
      free_.push_back({p, bytes, align});
      free_bytes_ += bytes;
      return;
    } catch (const std::bad_alloc&) {
    }
  }
  ::operator delete(p, std::align_val_t(align));
}

Value Doc::new_object(std::size_t reserve) {
  Value v;
  v.type = Type::kObject;
  v.o = new (arena_.allocate(sizeof(Object), alignof(Object))) Object(&arena_);
  if (reserve) v.o->reserve(reserve);
  return v;
}

Value Doc::new_array(std::size_t reserve) {
  Value v;
  v.type = Type::kArray;
  v.a = new (arena_.allocate(sizeof(Array), alignof(Array))) Array(&arena_);
  if (reserve) v.a->reserve(reserve);
  return v;
}

std::string_view Doc::copy(std::string_view text) {
  if (text.empty()) return {};
  auto* p = static_cast<char*>(arena_.allocate(text.size(), 1));
  std::memcpy(p, text.data(), text.size());
  return {p, text.size()};
}

Value Doc::new_string(std::string_view text) {
  return Value::string_view(copy(text));
}

Value* find_member(Value& object, std::string_view key) {
  return object.type == Type::kObject ? find_member(*object.o, key) : nullptr;
}

Value* find_member(Object& members, std::string_view key) {
  // Compare size and first byte before memcmp: most keys differ there.
  const std::size_t n = key.size();
  if (n == 0) {
    for (auto& m : members)
      if (m.key.empty()) return &m.value;
    return nullptr;
  }
  const char first = key[0], last = key[n - 1];
  for (auto& m : members) {
    if (m.key.size() != n || m.key[0] != first || m.key[n - 1] != last) continue;
    // Keys are short: a plain loop beats a call to memcmp.
    std::size_t i = 1;
    while (i + 1 < n && m.key[i] == key[i]) ++i;
    if (i + 1 >= n) return &m.value;
  }
  return nullptr;
}

const Value* find_member(const Value& object, std::string_view key) {
  return find_member(const_cast<Value&>(object), key);
}

void set_member(Value& object, std::string_view key, Value value) {
  if (Value* existing = find_member(object, key)) {
    *existing = value;
    return;
  }
  object.o->push_back(Member{key, value});
}

bool erase_member(Value& object, std::string_view key) {
  if (object.type != Type::kObject) return false;
  auto& members = *object.o;
  for (auto it = members.begin(); it != members.end(); ++it) {
    if (it->key == key) {
      members.erase(it);
      return true;
    }
  }
  return false;
}

}  // namespace misp::json
