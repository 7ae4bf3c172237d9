// Paging through a MISP restSearch window without losing or repeating a row while MISP changes
// underneath. A pure state machine: no I/O, no clock. The poller asks for the first request, sends
// it, and hands every page's row keys back; the pager answers which rows to deliver (with the
// cursor each one may carry), the next request, or that the poll is done.
//
// Why it is lossless (docs/paging.md has the whole argument):
// - The window [from, upper] ends `settle` seconds before MISP's own clock (its Date header), so no
//   second MISP may still write is inside it. Rows only ever LEAVE a second of the window (an edit
//   stamps MISP's "now", past `upper`); they never join it (sync excepted: refetch).
// - Keyset paging: each request starts at the timestamp of the last row delivered, page 1, so one
//   response is a consistent read from that point on.
// - Where a page cannot move the keyset forward (a run of equal timestamps longer than `limit`, or
//   a page whose rows MISP's warninglists all dropped), offsets are unavoidable, and a row leaving
//   the run between two pages shifts every later row one place forward. So each offset page
//   overlaps the previous one (page size and number chosen so the offset lands inside it) and must
//   start at or before the last row already read: then every row up to its end has been seen,
//   however many rows left before. A page that starts beyond is asked again from further back.
// - Where no such anchor can exist (a stretch of dropped rows longer than the overlap, or `limit`
//   below 3), the segment is read in passes from page 1 until two consecutive passes see the same
//   rows: a pass that missed a row also saw a row that has since left.
// - Cursors: a row delivered from a proven read carries its own key; a row of an unproven pass
//   carries the last key proven, so a crash there re-delivers (same _id) rather than loses. When
//   the window closes, the cursor marks its last second whole.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "plugin/cursor.h"

namespace misp::plugin {

struct PageRequest {
  std::int64_t from = 0, to = 0;  // timestamp: [from, to], both inclusive
  int page = 1;                   // 1-based
  int limit = 10;                 // at most the configured limit; smaller to make pages overlap
  friend bool operator==(const PageRequest&, const PageRequest&) = default;
};

struct PagerOptions {
  int limit = 10;
  // Attributes: MISP drops warninglisted/decayed rows after paging and counts them in
  // X-Skipped-Elements-Count, so a page is the last only when rows + skipped < limit.
  bool skipped_rows_fill_pages = false;
  // A segment still changing after this many passes fails the poll (the next poll retries).
  int max_passes = 10;
};

struct PagerWindow {
  std::int64_t from = 0;      // first timestamp to read
  std::int64_t to_guess = 0;  // upper bound sent with the first request (reaches past MISP's now)
  std::int64_t settle = 1;    // seconds kept clear of MISP's clock
  // The window's end when MISP's answer carries no usable Date: this machine's clock - settle.
  std::int64_t to_without_date = 0;
};

// One response, reduced to what paging needs.
struct Page {
  std::span<const RowKey> rows;             // in the order MISP sent them
  std::int64_t skipped = 0;                 // X-Skipped-Elements-Count
  std::optional<std::int64_t> server_time;  // MISP's clock from the Date header, Unix seconds
};

struct Verdict {
  struct Delivery {
    std::size_t row;  // index into Page::rows
    Cursor after;     // the cursor this row's last document may carry
  };
  std::vector<Delivery> deliver;    // in order
  Cursor checkpoint;                // valid once every row delivered so far is delivered
  std::optional<PageRequest> next;  // nullopt: done (or failed, when error is set)
  std::string error;                // non-empty: the page broke MISP's contract; the poll fails
  // Rows that came back newer than the window but not newer than MISP's clock: edited while
  // MISP read the page (it selects the rows, then loads them). Not delivered here: their new
  // version lies in a later window. They still took their place in the page.
  std::size_t edited_during_read = 0;
};

class Pager {
 public:
  Pager(PagerOptions options, PagerWindow window, Cursor start);

  // The first request, or nullopt when the window is empty.
  std::optional<PageRequest> first() const;
  Verdict on_page(const Page& page);

  std::int64_t upper() const { return upper_; }     // the window's end as it stands
  int passes() const { return extra_passes_; }      // re-reads spent on unproven segments
  int backoffs() const { return total_backoffs_; }  // pages asked again for an anchor
  const Cursor& checkpoint() const { return checkpoint_; }

 private:
  struct KeyHash {
    std::size_t operator()(const RowKey& k) const noexcept {
      return std::hash<std::int64_t>()(k.timestamp * 1000003 ^ k.id);
    }
  };
  struct Pass {
    std::vector<RowKey> seen;  // keys served in this pass, in order
    std::int64_t skipped = 0;
    bool same_as(const Pass& other) const;
  };

  Verdict fail(std::string message);
  void close_window(std::optional<std::int64_t> server_time);
  // Rows outside the window or out of order: the message. keep: rows up to the window's end.
  std::string check(const Page& page, std::int64_t sent_to, std::size_t& keep) const;
  // True when this offset page lost its anchor and is to be asked again from further back.
  bool ask_again(std::span<const RowKey> rows);
  void take(std::span<const RowKey> rows, std::size_t keep, Verdict& v);
  Verdict next_offset_page(Verdict v);
  Verdict end_pass(Verdict v, bool last_page, std::optional<RowKey> last_row);
  PageRequest request() const { return {lower_, upper_, page_, size_}; }
  std::int64_t offset() const { return static_cast<std::int64_t>(page_ - 1) * size_; }
  // Sets page_ and size_ to the page reaching furthest whose offset is at most `at_most`.
  // Returns where that page ends (offset + size).
  std::int64_t aim(std::int64_t at_most);
  // Aims at a page that overlaps rows before `end` and reaches past it; false when none can.
  bool aim_after(std::int64_t end);
  void start_pass();

  PagerOptions options_;
  std::int64_t settle_;
  std::int64_t to_without_date_;
  std::int64_t lower_;         // the current segment starts here (keyset)
  std::int64_t upper_;         // the window's end; lowered once by MISP's Date
  std::int64_t requested_to_;  // the upper bound the first request carried
  bool upper_known_ = false;
  int page_ = 1;
  int size_ = 1;  // the page size of the current request
  int pass_ = 1;
  int backoffs_ = 0;                    // consecutive re-asks for an anchor
  bool overlap_impossible_ = false;     // the next page cannot overlap and still advance
  std::optional<RowKey> last_read_;     // the newest row this pass has read
  std::optional<RowKey> backoff_mark_;  // last_read_ when the latest re-ask began
  bool pass_proven_ = true;             // every page of this pass so far is anchored
  int extra_passes_ = 0;
  int total_backoffs_ = 0;
  Cursor checkpoint_;  // everything up to here is delivered (or will be, with this page's rows)
  Pass current_, previous_;
  bool have_previous_ = false;
  std::unordered_set<RowKey, KeyHash> delivered_;  // rows of this segment beyond checkpoint_
};

}  // namespace misp::plugin
