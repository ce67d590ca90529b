// JSON validation with the byte offset of the first error, and re-indenting.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace amr::message {

struct JsonProblem {
    size_t offset;       // byte offset of the error in the input
    std::string reason;  // RapidJSON's English description
};

// nullopt when `text` is one complete JSON value (surrounding whitespace allowed).
std::optional<JsonProblem> check_json(std::string_view text);

// A quick scan that accepts only JSON the full parser certainly accepts too (printable
// ASCII strings with one-letter escapes, short numbers without exponents, nesting up to
// 64): false means "ask the full parser", not "invalid". check_json() tries it first.
bool plainly_valid(std::string_view text);

// Throws a usage Error "<what> is not valid JSON at byte N: reason" with a hint to use
// --raw, when `text` is not JSON.
void require_json(std::string_view text, const std::string& what);

// Re-serialises JSON text indented by `indent` spaces, like Python's json.dumps(indent=2)
// (UTF-8 kept as is). Returns the input unchanged when it is not JSON.
std::string indent_json(std::string_view text, unsigned indent = 2);

}  // namespace amr::message
