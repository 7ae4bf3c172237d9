#include "plugin/pager.h"

#include <algorithm>
#include <limits>

namespace misp::plugin {

namespace {

// Guards against a server that answers every page in full forever.
constexpr std::int64_t kMaxSegmentRows = 20'000'000;
// Below this limit pages cannot both overlap and advance: such segments are proven by passes.
constexpr int kMinOverlapLimit = 4;
// Re-asks for an anchor before a page is accepted unproven (and its pass verified by a re-read).
constexpr int kMaxBackoffs = 8;
// A row edited while MISP read a page carries MISP's clock of that moment: at most its Date header
// (whole seconds, truncated) plus this.
constexpr std::int64_t kEditSlackSeconds = 2;

std::string key_text(const RowKey& k) {
  return "(timestamp " + std::to_string(k.timestamp) + ", id " + std::to_string(k.id) + ")";
}

Cursor at(const Cursor& base, RowKey k) {
  Cursor c = base;
  c.timestamp = k.timestamp, c.id = k.id;
  return c;
}

Cursor later(const Cursor& a, const Cursor& b) {
  return RowKey{a.timestamp, a.id} < RowKey{b.timestamp, b.id} ? b : a;
}

}  // namespace

bool Pager::Pass::same_as(const Pass& other) const {
  if (skipped != other.skipped) return false;
  auto rows = [](std::vector<RowKey> v) {  // overlapping pages read some rows twice
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  return rows(seen) == rows(other.seen);
}

Pager::Pager(PagerOptions options, PagerWindow window, Cursor start)
    : options_(options),
      settle_(window.settle),
      to_without_date_(window.to_without_date),
      lower_(window.from),
      upper_(window.to_guess),
      requested_to_(window.to_guess),
      checkpoint_(start) {
  options_.limit = std::max(options_.limit, 1);
  size_ = options_.limit;
}

std::optional<PageRequest> Pager::first() const {
  if (lower_ > upper_) return std::nullopt;
  return request();
}

Verdict Pager::fail(std::string message) {
  Verdict v;
  v.checkpoint = checkpoint_;
  v.error = std::move(message);
  return v;
}

std::int64_t Pager::aim(std::int64_t at_most) {
  const int limit = options_.limit;
  if (at_most <= 0) {
    page_ = 1, size_ = limit;
    return size_;
  }
  // offset = (page - 1) * size: the page whose offset is at most `at_most` and whose end lies
  // furthest; among equal ends, the larger page.
  std::int64_t best_end = -1;
  for (int s = limit; s >= 2; --s) {
    std::int64_t p = at_most / s;
    std::int64_t end = p * s + s;
    if (end > best_end && p < std::numeric_limits<int>::max())
      best_end = end, size_ = s, page_ = static_cast<int>(p + 1);
  }
  return best_end;
}

bool Pager::aim_after(std::int64_t end) {
  // Overlap limit/32 rows (at least one) so a row or two leaving between the reads keeps a large
  // page anchored; where page arithmetic allows no such page to advance, overlap one row. A page
  // that loses its anchor anyway is asked again from further back (on_page).
  for (std::int64_t overlap : {std::max(1, options_.limit / 32), 1})
    if (aim(end - overlap) > end) return true;
  return false;
}

void Pager::start_pass() {
  page_ = 1, size_ = options_.limit;
  backoffs_ = 0, overlap_impossible_ = false;
  last_read_.reset();
  backoff_mark_.reset();
  pass_proven_ = true;
}

void Pager::close_window(std::optional<std::int64_t> server_time) {
  if (upper_known_) return;
  // The first answer tells MISP's clock: the window ends `settle` seconds before it, whatever
  // this machine's clock said when the first request went out.
  upper_known_ = true;
  upper_ = std::min(upper_, server_time ? *server_time - settle_ : to_without_date_);
}

std::string Pager::check(const Page& page, std::int64_t sent_to, std::size_t& keep) const {
  const auto& rows = page.rows;
  keep = rows.size();  // rows past upper_ (first answer only) end the window
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const RowKey& k = rows[i];
    if (k.timestamp < lower_ || k.timestamp > sent_to)
      return "row " + std::to_string(i) + " " + key_text(k) +
             " lies outside the requested window [" + std::to_string(lower_) + ", " +
             std::to_string(sent_to) + "]: MISP ignored the timestamp filter";
    if (i > 0 && !(rows[i - 1] < k))
      return "row " + std::to_string(i) + " " + key_text(k) + " is not after row " +
             std::to_string(i - 1) + " " + key_text(rows[i - 1]) +
             ": MISP ignored the requested order";
    if (k.timestamp > upper_ && keep == rows.size()) keep = i;
  }
  if (page.skipped < 0)
    return "X-Skipped-Elements-Count is negative (" + std::to_string(page.skipped) + ")";
  return {};
}

bool Pager::ask_again(std::span<const RowKey> rows) {
  // An offset page proves itself when it starts at or before the newest row already read: every
  // row up to its end has then been seen, whatever left the segment in between.
  if (offset() == 0 || (!rows.empty() && last_read_ && rows.front() <= *last_read_)) return false;
  // Asking again from further back helps unless the last attempt read nothing new (the gap is
  // rows MISP drops after paging, longer than a page can span).
  const bool hopeless = backoffs_ == 0 && backoff_mark_ && backoff_mark_ == last_read_;
  if (hopeless || overlap_impossible_ || options_.limit < kMinOverlapLimit ||
      backoffs_ >= kMaxBackoffs) {
    pass_proven_ = false;
    return false;
  }
  if (backoffs_ == 0) backoff_mark_ = last_read_;
  ++backoffs_, ++total_backoffs_;
  aim(offset() - std::max<std::int64_t>(1, size_ / 2));  // further back, then forward again
  return true;
}

void Pager::take(std::span<const RowKey> rows, std::size_t keep, Verdict& v) {
  for (std::size_t i = 0; i < keep; ++i) {
    const RowKey& k = rows[i];
    current_.seen.push_back(k);
    const bool done = checkpoint_.covers(k) || delivered_.contains(k);
    // While every page of the pass is proven, every row up to k is delivered once k is.
    if (pass_proven_) checkpoint_ = later(checkpoint_, at(checkpoint_, k));
    if (!last_read_ || *last_read_ < k) last_read_ = k;
    if (done) continue;
    delivered_.insert(k);
    v.deliver.push_back({i, checkpoint_});
  }
}

Verdict Pager::on_page(const Page& answer) {
  const std::int64_t sent_to = upper_known_ ? upper_ : requested_to_;
  close_window(answer.server_time);
  // MISP 2.5 reads a page in two steps (which rows, then the rows): a row edited in between comes
  // back with its new timestamp, past the window and out of order. A timestamp MISP's clock has
  // reached is such an edit; its new version belongs to a later window, so it is set aside here
  // (it still filled its place in the page). Past MISP's clock, or with no clock to tell, the
  // row breaks the contract and check() fails the poll.
  // No Date: no clock to tell an edit from a broken server (newest below sent_to: none set aside).
  const std::int64_t newest =
      answer.server_time ? *answer.server_time + kEditSlackSeconds : sent_to;
  std::vector<RowKey> in_window;
  std::vector<std::size_t> index;  // in_window[i] is answer.rows[index[i]]
  std::size_t edited = 0;
  for (std::size_t i = 0; i < answer.rows.size(); ++i) {
    const RowKey& k = answer.rows[i];
    if (k.timestamp > sent_to && k.timestamp <= newest) {
      ++edited;
      continue;
    }
    in_window.push_back(k);
    index.push_back(i);
  }
  const Page page{in_window, answer.skipped, answer.server_time};
  std::size_t keep = 0;
  if (std::string e = check(page, sent_to, keep); !e.empty()) return fail(std::move(e));
  Verdict v;
  v.checkpoint = checkpoint_;
  v.edited_during_read = edited;
  if (ask_again(page.rows)) {
    v.next = request();
    return v;
  }
  backoffs_ = 0;
  take(page.rows, keep, v);
  for (auto& d : v.deliver) d.row = index[d.row];
  current_.skipped += page.skipped;

  const auto& rows = page.rows;
  const std::int64_t skipped =
      options_.skipped_rows_fill_pages ? std::min<std::int64_t>(page.skipped, size_) : 0;
  const bool last_page =
      keep < rows.size() || static_cast<std::int64_t>(rows.size() + edited) + skipped < size_;
  const bool blocked = !last_page && (keep == 0 || rows[keep - 1].timestamp == lower_);
  if (blocked) return next_offset_page(std::move(v));
  return end_pass(std::move(v), last_page, keep > 0 ? std::optional(rows[keep - 1]) : std::nullopt);
}

Verdict Pager::next_offset_page(Verdict v) {
  const std::int64_t end = offset() + size_;
  if (end >= kMaxSegmentRows)
    return fail("more than " + std::to_string(kMaxSegmentRows) + " rows at timestamp " +
                std::to_string(lower_) + ": refusing to page further");
  const int page = page_, size = size_;
  overlap_impossible_ = options_.limit < kMinOverlapLimit || !aim_after(end);
  if (overlap_impossible_) page_ = page + 1, size_ = size;  // the next page is unproven
  v.next = request();
  v.checkpoint = checkpoint_;
  return v;
}

Verdict Pager::end_pass(Verdict v, bool last_page, std::optional<RowKey> last_row) {
  // Unproven pages need a pass that sees the same rows.
  if (!pass_proven_ && !(have_previous_ && current_.same_as(previous_))) {
    if (pass_ >= options_.max_passes)
      return fail("rows from timestamp " + std::to_string(lower_) + " kept changing through " +
                  std::to_string(pass_) +
                  " passes (MISP edits them faster than they can be read); the next poll retries");
    previous_ = std::move(current_);
    current_ = Pass{};
    have_previous_ = true;
    ++pass_, ++extra_passes_;
    start_pass();
    v.next = request();
    v.checkpoint = checkpoint_;
    return v;
  }
  if (last_row) checkpoint_ = later(checkpoint_, at(checkpoint_, *last_row));
  if (last_page) {
    if (upper_ >= lower_)
      checkpoint_ = later(checkpoint_, at(checkpoint_, {upper_, Cursor::kWholeSecond}));
  } else {
    lower_ = last_row->timestamp;  // a page that is not the last and not blocked has rows
    pass_ = 1;
    current_ = previous_ = Pass{};
    have_previous_ = false;
    start_pass();
    // An earlier pass may have reached beyond this one: keep what it delivered past the cursor.
    std::erase_if(delivered_, [&](const RowKey& k) { return checkpoint_.covers(k); });
    v.next = request();
  }
  v.checkpoint = checkpoint_;
  return v;
}

}  // namespace misp::plugin
