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
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "message/json_check.hpp"
#include "message/json_number.hpp"

namespace amr::message::detail {

namespace rj = rapidjson;

// Numbers as strings: RapidJSON 1.1 still checks a number's grammar (and refuses one too
// big for a double, 1e400), but amr never converts one. What amr re-writes keeps each
// number as written (0e55, 1.0, -0, 21-digit integers); RapidJSON 1.1's full-precision
// strtod misread some (0e55 as 7.9e28, found by tests/fuzz, docs/FUZZING.md finding 2).
constexpr unsigned parse_flags = rj::kParseNumbersAsStringsFlag | rj::kParseValidateEncodingFlag;

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

// Where the first escape of a lone low surrogate (\uDC00 to \uDFFF with no high one just
// before it) starts, in `text` up to `end`, which must be JSON so far (a backslash only
// in a string, each escape complete).
inline std::optional<size_t> lone_low_surrogate(std::string_view text, size_t end) {
    auto hex = [&](size_t at) {
        unsigned v = 0;
        for (size_t k = at; k < at + 4 && k < text.size(); ++k) {
            const char c = text[k];
            v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        return v;
    };
    for (size_t i = text.find('\\'); i < end; i = text.find('\\', i)) {
        if (i + 1 >= text.size() || text[i + 1] != 'u') {
            i += 2;
            continue;
        }
        const unsigned unit = hex(i + 2);
        if (unit >= 0xDC00 && unit <= 0xDFFF) return i;
        i += unit >= 0xD800 && unit <= 0xDBFF ? 12 : 6;  // a pair, or one code point
    }
    return std::nullopt;
}

// Forwards SAX events to `Handler`; stops the parse at the first array or object past the
// depth limit and at a string holding a lone low surrogate (RapidJSON 1.1 refuses a lone
// high one, but decodes a low one to the 3 bytes of a surrogate, which are not UTF-8 and
// would make what amr re-writes not JSON: finding 5 of docs/FUZZING.md). A number goes to
// a writer as written (RawValue), to a Document as a string after raw_number_mark.
template <typename Handler>
class DepthLimit {
  public:
    DepthLimit(Handler& handler, unsigned max_depth) : handler_(handler), max_depth_(max_depth) {}

    bool too_deep() const { return depth_ > max_depth_; }
    bool lone_surrogate() const { return lone_surrogate_; }

    bool Null() { return handler_.Null(); }
    bool Bool(bool b) { return handler_.Bool(b); }
    bool Int(int i) { return handler_.Int(i); }
    bool Uint(unsigned u) { return handler_.Uint(u); }
    bool Int64(int64_t i) { return handler_.Int64(i); }
    bool Uint64(uint64_t u) { return handler_.Uint64(u); }
    bool Double(double d) { return handler_.Double(d); }
    bool RawNumber(const char* s, rj::SizeType n, bool copy) {
        if constexpr (requires { handler_.RawValue(s, n, rj::kNumberType); }) {
            return handler_.RawValue(s, n, rj::kNumberType);
        } else if constexpr (std::is_base_of_v<rj::BaseReaderHandler<>, Handler>) {
            return handler_.RawNumber(s, n, copy);
        } else {
            char marked[max_number_chars + 1];
            if (n > max_number_chars) return false;  // overlong_number() refused it before
            marked[0] = raw_number_mark;
            std::memcpy(marked + 1, s, n);
            return handler_.String(marked, n + 1, true);
        }
    }
    bool String(const char* s, rj::SizeType n, bool copy) {
        return utf8(s, n) && handler_.String(s, n, copy);
    }
    bool Key(const char* s, rj::SizeType n, bool copy) {
        return utf8(s, n) && handler_.Key(s, n, copy);
    }
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
    // False for a decoded surrogate (ED A0..BF): only a lone low surrogate escape gives one.
    bool utf8(const char* s, rj::SizeType n) {
        for (const char* p = static_cast<const char*>(std::memchr(s, '\xed', n)); p;
             p = static_cast<const char*>(std::memchr(p + 1, '\xed', n - (p + 1 - s)))) {
            if (p + 1 < s + n && static_cast<unsigned char>(p[1]) >= 0xA0) {
                lone_surrogate_ = true;
                return false;
            }
        }
        return true;
    }

    Handler& handler_;
    unsigned max_depth_;
    unsigned depth_ = 0;
    bool lone_surrogate_ = false;
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
    // A handler that wants byte offsets (message/envelope.cpp) reads them from the stream.
    if constexpr (requires { handler.attach(stream); }) handler.attach(stream);
    const rj::ParseResult ok = reader.Parse<Flags>(stream, limited);
    if (!ok && limited.too_deep()) {
        // The reader has taken the bracket that went too deep.
        return JsonProblem{ok.Offset() - 1,
                           "arrays and objects nested more than " + std::to_string(max_depth) +
                               " deep (amr's limit)",
                           true};
    }
    if (!ok && limited.lone_surrogate()) {
        const auto at = lone_low_surrogate(text, ok.Offset());
        return JsonProblem{at.value_or(ok.Offset()),
                           "a lone low surrogate escape (\\uDC00 to \\uDFFF without a high one "
                           "before it; not JSON to amr)"};
    }
    if (!ok) return JsonProblem{ok.Offset(), rj::GetParseError_En(ok.Code())};
    if (stream.Tell() != text.size()) return JsonProblem{stream.Tell(), "Unexpected NUL byte."};
    return std::nullopt;
}

}  // namespace amr::message::detail
