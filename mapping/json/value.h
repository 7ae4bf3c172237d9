// A small, arena-backed JSON tree: the document an ingest pipeline works on.
//
// Why not nlohmann::json: a mapped document is built and thrown away ~200k times a second. Every
// node here lives in one monotonic arena that is reset between documents, strings are views into
// the parser's buffer or the arena, and objects are flat vectors (MISP objects have < 80 keys, so
// a linear scan beats hashing). Nothing here is thread-safe; one Doc per thread.
#pragma once

#include <cstdint>
#include <memory_resource>
#include <string_view>
#include <vector>

namespace misp::json {

enum class Type : std::uint8_t { kNull, kBool, kInt, kUint, kDouble, kString, kArray, kObject };

struct Member;
struct Value;
using Array = std::pmr::vector<Value>;
using Object = std::pmr::vector<Member>;

struct Value {
  Type type = Type::kNull;
  union {
    bool b;
    std::int64_t i;
    std::uint64_t u;  // only integers above INT64_MAX (Java would make them BigInteger)
    double d;
    struct {
      const char* data;
      std::size_t size;
    } s;
    Array* a;
    Object* o;
  };

  Value() : i(0) {}
  static Value null() { return Value(); }
  static Value boolean(bool v) {
    Value x;
    x.type = Type::kBool;
    x.b = v;
    return x;
  }
  static Value integer(std::int64_t v) {
    Value x;
    x.type = Type::kInt;
    x.i = v;
    return x;
  }
  static Value unsigned_integer(std::uint64_t v) {
    Value x;
    x.type = Type::kUint;
    x.u = v;
    return x;
  }
  static Value real(double v) {
    Value x;
    x.type = Type::kDouble;
    x.d = v;
    return x;
  }
  // The view must outlive the Value: parser buffer, arena, or static storage.
  static Value string_view(std::string_view v) {
    Value x;
    x.type = Type::kString;
    x.s = {v.data(), v.size()};
    return x;
  }

  bool is_null() const { return type == Type::kNull; }
  bool is_string() const { return type == Type::kString; }
  bool is_object() const { return type == Type::kObject; }
  bool is_array() const { return type == Type::kArray; }
  bool is_number() const {
    return type == Type::kInt || type == Type::kUint || type == Type::kDouble;
  }
  std::string_view str() const { return {s.data, s.size}; }
};

struct Member {
  std::string_view key;
  Value value;
};

// Where a Doc's arena gets memory beyond its first 16 KiB: blocks come back on reset() and are
// handed out again to the next document (the arena asks for the same sizes in the same order),
// so a steady stream of documents costs no malloc/free pair per block. At most kKeepBytes stay
// cached: one huge document does not pin its memory.
class BlockCache : public std::pmr::memory_resource {
 public:
  static constexpr std::size_t kKeepBytes = 4 << 20;
  BlockCache() = default;
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;
  ~BlockCache() override;

 private:
  struct Block {
    void* p;
    std::size_t bytes, align;
  };
  void* do_allocate(std::size_t bytes, std::size_t align) override;
  void do_deallocate(void* p, std::size_t bytes, std::size_t align) override;
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }
  std::vector<Block> free_;
  std::size_t free_bytes_ = 0;
};

// Owns the arena every Value of one document is allocated from.
class Doc {
 public:
  Doc() : arena_(initial_, sizeof(initial_), &blocks_) {}
  Doc(const Doc&) = delete;
  Doc& operator=(const Doc&) = delete;

  // Frees every node at once; Values obtained before are dangling afterwards.
  void reset() { arena_.release(); }
  std::pmr::memory_resource* resource() { return &arena_; }

  Value new_object(std::size_t reserve = 0);
  Value new_array(std::size_t reserve = 0);
  // Copies the text into the arena.
  Value new_string(std::string_view text);
  std::string_view copy(std::string_view text);

 private:
  alignas(std::max_align_t) char initial_[16 * 1024];
  BlockCache blocks_;  // before arena_: the arena returns its blocks here when it goes
  std::pmr::monotonic_buffer_resource arena_;
};

// Object helpers. Keys are compared byte-wise.
Value* find_member(Object& members, std::string_view key);
Value* find_member(Value& object, std::string_view key);
const Value* find_member(const Value& object, std::string_view key);
// Sets key to value, replacing an existing member (position kept) or appending.
void set_member(Value& object, std::string_view key, Value value);
bool erase_member(Value& object, std::string_view key);

}  // namespace misp::json
