// Chaos: the changes a busy MISP makes while a client pages through it, drawn from one seeded
// generator in a fixed order (edits, soft deletes, hard deletes, inserts, synced rows), so the
// same data, seed and requests give the same ledger.
#include <iterator>

#include "tests/misp_emulator/store.h"

namespace misp::emulator {

namespace {

template <typename Map>
std::int64_t nth_key(const Map& m, std::int64_t n) {
  return std::next(m.begin(), static_cast<std::ptrdiff_t>(n))->first;
}

}  // namespace

void Store::apply_chaos(int request_number, std::int64_t now) {
  if (!chaos) return;
  const Chaos c = *chaos;
  if (request_number < c.first_request || (c.last_request > 0 && request_number > c.last_request))
    return;
  auto random_event = [&] {
    if (events.empty()) return add_event(now, "chaos event");
    return nth_key(events, draw(0, static_cast<std::int64_t>(events.size()) - 1));
  };
  if (c.edit_probability > 0) {
    std::vector<std::int64_t> picked;
    for (const auto& [id, a] : attributes)
      if (!a.deleted && draw_unit() < c.edit_probability) picked.push_back(id);
    for (auto id : picked) edit(id, now);
  }
  for (int k = 0; k < c.soft_deletes_per_request; ++k) {
    std::vector<std::int64_t> live;
    for (const auto& [id, a] : attributes)
      if (!a.deleted) live.push_back(id);
    if (live.empty()) break;
    soft_delete(live[static_cast<std::size_t>(draw(0, static_cast<std::int64_t>(live.size()) - 1))],
                now);
  }
  for (int k = 0; k < c.hard_deletes_per_request && !attributes.empty(); ++k)
    hard_delete(nth_key(attributes, draw(0, static_cast<std::int64_t>(attributes.size()) - 1)),
                now);
  for (int k = 0; k < c.inserts_per_request; ++k) {
    const std::int64_t ts = now - draw(0, c.late_save_max_age_s);
    insert(random_event(), ts, ts < now ? ChangeKind::kLateSave : ChangeKind::kInsert);
  }
  for (int k = 0; k < c.synced_per_request; ++k)
    insert(random_event(), now - draw(1, c.synced_max_age_s), ChangeKind::kSynced);
}

}  // namespace misp::emulator
