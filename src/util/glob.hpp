// Glob patterns as PSUBSCRIBE reads them: a port of Redis's stringmatchlen() (src/util.c),
// case-sensitive, for --exclude. `*` any bytes, `?` one byte, `[abc]`, `[^a]` (not),
// `[a-z]` (ends in either order), `\x` the byte x (inside brackets too). Every pattern is
// valid: an unclosed `[` takes the rest of the pattern as its set, a trailing `\` is
// itself. Only the empty pattern matches an empty channel (not even `*`). Bytes compare as Redis
// built for x86-64 compares them, as signed chars (so a range from below 0x80 to above it is
// swapped, as there). A pattern nests at most 1000 stars deep, after which it does not match, and a
// star stops trying longer matches once the rest of the pattern failed everywhere, so no pattern
// takes exponential time.
#pragma once

#include <string_view>

namespace amr::util {

bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace amr::util
