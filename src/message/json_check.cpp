#include "message/json_check.hpp"

#include <rapidjson/reader.h>

#include <cstdint>
#include <cstring>

#include "error.hpp"
#include "message/json_parse.hpp"

namespace amr::message {

namespace rj = rapidjson;
using detail::parse_flags;
using detail::parse_into;

namespace {

bool is_ascii(std::string_view text) {
    const char* p = text.data();
    size_t n = text.size();
    uint64_t bits = 0;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t word;
        std::memcpy(&word, p, 8);
        bits |= word;
    }
    for (; n > 0; ++p, --n) bits |= static_cast<unsigned char>(*p);
    return (bits & 0x8080808080808080ULL) == 0;
}

bool is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}

// The scan behind plainly_valid(): a cursor over the text.
class PlainScan {
  public:
    explicit PlainScan(std::string_view text)
        : p_(reinterpret_cast<const unsigned char*>(text.data())), end_(p_ + text.size()) {}

    bool document() {
        space();
        if (!value()) return false;
        space();
        return p_ == end_;
    }

    // One value from the cursor (no whitespace before it), the cursor left just past it.
    bool value() {
        char open[max_depth];
        int depth = 0;
        for (;;) {
            // A value.
            if (p_ == end_) return false;
            const unsigned char c = *p_;
            if (c == '{' || c == '[') {
                ++p_;
                space();
                if (p_ < end_ && *p_ == (c == '{' ? '}' : ']')) {
                    ++p_;
                } else {
                    if (depth == max_depth) return false;
                    open[depth++] = static_cast<char>(c);
                    if (c == '{' && !key()) return false;
                    continue;
                }
            } else if (!scalar()) {
                return false;
            }
            // After a value: commas and closing brackets until the next value.
            for (;;) {
                if (depth == 0) return true;
                space();
                if (p_ == end_) return false;
                const char top = open[depth - 1];
                if (*p_ == ',') {
                    ++p_;
                    space();
                    if (top == '{' && !key()) return false;
                    break;
                }
                if (*p_ != (top == '{' ? '}' : ']')) return false;
                ++p_;
                --depth;
            }
        }
    }

    static constexpr int max_depth = 64;

  private:
    void space() {
        while (p_ < end_ && is_space(*p_)) ++p_;
    }

    // A string, the colon and the whitespace after it.
    bool key() {
        if (!string()) return false;
        space();
        if (p_ == end_ || *p_ != ':') return false;
        ++p_;
        space();
        return true;
    }

    bool scalar() {
        switch (*p_) {
            case '"':
                return string();
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            default:
                return number();
        }
    }

    bool literal(std::string_view word) {
        if (static_cast<size_t>(end_ - p_) < word.size() ||
            std::memcmp(p_, word.data(), word.size()) != 0) {
            return false;
        }
        p_ += word.size();
        return true;
    }

    // Printable ASCII and the one-letter escapes; \u escapes (surrogates) are left to
    // the full parser.
    bool string() {
        if (p_ == end_ || *p_ != '"') return false;
        ++p_;
        while (p_ < end_) {
            const unsigned char c = *p_++;
            if (c == '"') return true;
            if (c == '\\') {
                if (p_ == end_) return false;
                switch (*p_++) {
                    case '"':
                    case '\\':
                    case '/':
                    case 'b':
                    case 'f':
                    case 'n':
                    case 'r':
                    case 't':
                        break;
                    default:
                        return false;
                }
            } else if (c < 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return false;
    }

    // Short numbers without an exponent: nothing the full parser could find too big.
    bool number() {
        const unsigned char* start = p_;
        if (*p_ == '-') ++p_;
        if (p_ == end_) return false;
        if (*p_ == '0') {
            ++p_;
        } else if (is_digit(*p_)) {
            while (p_ < end_ && is_digit(*p_)) ++p_;
        } else {
            return false;
        }
        if (p_ < end_ && *p_ == '.') {
            ++p_;
            if (p_ == end_ || !is_digit(*p_)) return false;
            while (p_ < end_ && is_digit(*p_)) ++p_;
        }
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) return false;
        return p_ - start <= 64;
    }

  public:
    size_t offset(std::string_view text) const {
        return static_cast<size_t>(reinterpret_cast<const char*>(p_) - text.data());
    }

  private:
    const unsigned char* p_;
    const unsigned char* end_;
};

}  // namespace

bool plainly_valid(std::string_view text) {
    return PlainScan(text).document();
}

size_t plain_value_length(std::string_view text) {
    PlainScan scan(text);
    return scan.value() ? scan.offset(text) : 0;
}

std::optional<JsonProblem> check_json(std::string_view text, unsigned max_depth) {
    // publish --lines checks millions of lines: most are plain enough for a quick scan.
    if (max_depth >= static_cast<unsigned>(PlainScan::max_depth) && plainly_valid(text)) {
        return std::nullopt;
    }
    // ASCII needs no encoding validation (which reads strings a byte at a time).
    rj::BaseReaderHandler<> ignore;
    if (is_ascii(text)) {
        return parse_into<parse_flags & ~rj::kParseValidateEncodingFlag>(text, ignore, max_depth);
    }
    return parse_into(text, ignore, max_depth);
}

void require_json(std::string_view text, const std::string& what) {
    if (auto problem = check_json(text)) {
        throw usage_error(what + " is not valid JSON at byte " + std::to_string(problem->offset) +
                              ": " + problem->reason,
                          "use --raw to send it as it is");
    }
}

}  // namespace amr::message
