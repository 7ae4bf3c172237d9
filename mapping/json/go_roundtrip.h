// What Elasticsearch's `json` processor reads back from the text Filebeat's httpjson publishes,
// without writing or parsing that text: parse(write_go(v)) computed on the tree. The poller
// hands split documents to the mapper this way, so each byte of a response is parsed once.
#pragma once

#include "mapping/json/value.h"

namespace misp::json {

// A tree equal, member for member and number type for number type, to what json::Parser makes
// of write_go(v): object members in write_go's (stable, byte-wise) key order, numbers as float64
// written the Go way and read back (1.0 -> integer 1, 2^63 -> unsigned, 1e21 -> double), invalid
// UTF-8 as U+FFFD. Strings that need no change are shared with v, so v must outlive the result.
// One difference: an integer of 2^64 or more (which Go writes in full below 1e21) is kept as a
// double where parsing the text fails.
Value go_roundtrip(Doc& doc, const Value& v);

}  // namespace misp::json
