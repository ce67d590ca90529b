// JSON validation with the byte offset of the first error, parsing, compacting and
// re-indenting: every JSON parse in amr, all through message/json_parse.hpp's reader
// with its depth limit (check_json in json_check.cpp, the rest in json_parse.cpp).
#pragma once

#include <rapidjson/fwd.h>

#include <optional>
#include <string>
#include <string_view>

namespace amr::message {

// How deep amr reads JSON: arrays and objects nested deeper are not JSON to amr (RFC 8259
// lets a parser set this limit), so no payload can exhaust the stack of the parser or of
// what walks the parsed value. A subscriber shows such a payload as text, a publisher
// refuses it. 128 keeps every -j line (the payload one level down) within the 256 levels
// of jq 1.6.
constexpr unsigned max_json_depth = 128;

struct JsonProblem {
    size_t offset;          // byte offset of the error in the input
    std::string reason;     // RapidJSON's English description, or amr's for the depth
    bool too_deep = false;  // nested past the depth limit: valid JSON, but not to amr
};

// nullopt when `text` is one complete JSON value (surrounding whitespace allowed) nested at
// most `max_depth` deep.
std::optional<JsonProblem> check_json(std::string_view text, unsigned max_depth = max_json_depth);

// Parses `text` into `doc` (null on failure), with check_json's rules. Numbers stay as
// written, as marked strings: read them with raw_number(), write the document out with an
// ExactWriter (message/json_number.hpp).
std::optional<JsonProblem> parse_json(std::string_view text, rapidjson::Document& doc,
                                      unsigned max_depth = max_json_depth);

// Replaces `out`'s content with `text` re-written compact on one line, each number as
// written; false, with `out` unspecified, when `text` is not JSON.
bool compact_json(std::string_view text, rapidjson::StringBuffer& out);

// A quick scan that accepts only JSON the full parser certainly accepts too (printable
// ASCII strings with one-letter escapes, short numbers without exponents, nesting up to
// 64): false means "ask the full parser", not "invalid". check_json() tries it first.
bool plainly_valid(std::string_view text);
// The length of the value at the start of `text` (no whitespace before it) when it is
// plainly valid by the same rules; 0 when it is not (then ask the full parser).
size_t plain_value_length(std::string_view text);

// Throws a usage Error "<what> is not valid JSON at byte N: reason" with a hint to use
// --raw, when `text` is not JSON (the reason names the depth when it nests too deep).
void require_json(std::string_view text, const std::string& what);

// Re-serialises JSON text indented by `indent` spaces, like Python's json.dumps(indent=2)
// (UTF-8 and numbers kept as written). Returns the input unchanged when it is not JSON.
std::string indent_json(std::string_view text, unsigned indent = 2);

}  // namespace amr::message
