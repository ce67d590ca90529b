// The one way amr parses JSON, for message/json_check.cpp and json_parse.cpp: RapidJSON's
// reader behind a filter that stops at the depth limit. The filter refuses an array or
// object past the limit before the reader descends into it, so the reader's recursion is
// at most max_json_depth + 1 calls deep (some 16 KiB of stack) whatever the input; its
// iterative mode would cost --lines 10 to 25% more instructions per line. check_json()
// has a file of its own: beside the other handlers' instantiations, GCC no longer
// inlines RapidJSON's UTF-8 validation (measured with callgrind: 45% more per line).
#pragma once

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "message/json_check.hpp"

namespace amr::message::detail {

namespace rj = rapidjson;

constexpr unsigned parse_flags = rj::kParseFullPrecisionFlag | rj::kParseValidateEncodingFlag;

// RapidJSON 1.1 reads outside its table of powers of ten for a number of hundreds of
// digits ("0." and 350 zeros: a SIGSEGV, found by tests/fuzz). No number a program
// writes needs this many characters; a longer one makes the text not JSON to amr.
constexpr size_t max_number_chars = 100;

// Where the first number longer than max_number_chars starts (outside strings), if any.
inline std::optional<size_t> overlong_number(std::string_view text) {
    bool in_string = false;
    size_t run = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        const bool number_char =
            (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
        run = number_char ? run + 1 : 0;
        if (run > max_number_chars) return i + 1 - run;
        in_string = c == '"';
    }
    return std::nullopt;
}

// Forwards SAX events to `Handler` and stops the parse at the first array or object past
// the depth limit.
template <typename Handler>
class DepthLimit {
  public:
    DepthLimit(Handler& handler, unsigned max_depth) : handler_(handler), max_depth_(max_depth) {}

    bool too_deep() const { return depth_ > max_depth_; }

    bool Null() { return handler_.Null(); }
    bool Bool(bool b) { return handler_.Bool(b); }
    bool Int(int i) { return handler_.Int(i); }
    bool Uint(unsigned u) { return handler_.Uint(u); }
    bool Int64(int64_t i) { return handler_.Int64(i); }
    bool Uint64(uint64_t u) { return handler_.Uint64(u); }
    bool Double(double d) { return handler_.Double(d); }
    bool RawNumber(const char* s, rj::SizeType n, bool copy) {
        return handler_.RawNumber(s, n, copy);
    }
    bool String(const char* s, rj::SizeType n, bool copy) { return handler_.String(s, n, copy); }
    bool Key(const char* s, rj::SizeType n, bool copy) { return handler_.Key(s, n, copy); }
    bool StartObject() { return ++depth_ <= max_depth_ && handler_.StartObject(); }
    bool EndObject(rj::SizeType members) {
        --depth_;
        return handler_.EndObject(members);
    }
    bool StartArray() { return ++depth_ <= max_depth_ && handler_.StartArray(); }
    bool EndArray(rj::SizeType elements) {
        --depth_;
        return handler_.EndArray(elements);
    }

  private:
    Handler& handler_;
    unsigned max_depth_;
    unsigned depth_ = 0;
};

// Parses all of `text` into `handler` (RapidJSON takes a NUL byte for the end of input;
// anything from there on is extra).
template <unsigned Flags = parse_flags, typename Handler>
std::optional<JsonProblem> parse_into(std::string_view text, Handler& handler, unsigned max_depth) {
    if (auto at = overlong_number(text)) {
        return JsonProblem{*at, "a number of more than " + std::to_string(max_number_chars) +
                                    " characters (amr's limit)"};
    }
    DepthLimit<Handler> limited(handler, max_depth);
    rj::Reader reader;
    rj::MemoryStream stream(text.data(), text.size());
    const rj::ParseResult ok = reader.Parse<Flags>(stream, limited);
    if (!ok && limited.too_deep()) {
        // The reader has taken the bracket that went too deep.
        return JsonProblem{ok.Offset() - 1,
                           "arrays and objects nested more than " + std::to_string(max_depth) +
                               " deep (amr's limit)",
                           true};
    }
    if (!ok) return JsonProblem{ok.Offset(), rj::GetParseError_En(ok.Code())};
    if (stream.Tell() != text.size()) return JsonProblem{stream.Tell(), "Unexpected NUL byte."};
    return std::nullopt;
}

}  // namespace amr::message::detail
