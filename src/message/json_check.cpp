#include "message/json_check.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <cstring>

#include "error.hpp"

namespace amr::message {

namespace rj = rapidjson;

constexpr unsigned parse_flags =
    rj::kParseFullPrecisionFlag | rj::kParseValidateEncodingFlag | rj::kParseIterativeFlag;

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
        char open[max_depth];
        int depth = 0;
        space();
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
                space();
                if (depth == 0) return p_ == end_;
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

    const unsigned char* p_;
    const unsigned char* end_;
};

// Forwards SAX events to `Handler` and stops the parse at the first array or object past
// the depth limit. With the iterative parser, no depth of input deepens the call stack.
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

// The one way amr parses JSON: iterative, depth-limited, and the whole text (RapidJSON
// takes a NUL byte for the end of input; anything from there on is extra).
template <typename Handler>
std::optional<JsonProblem> parse_into(std::string_view text, Handler& handler, unsigned max_depth) {
    DepthLimit<Handler> limited(handler, max_depth);
    rj::Reader reader;
    rj::MemoryStream stream(text.data(), text.size());
    // ASCII needs no encoding validation (which reads strings a byte at a time).
    const rj::ParseResult ok =
        is_ascii(text)
            ? reader.Parse<parse_flags & ~rj::kParseValidateEncodingFlag>(stream, limited)
            : reader.Parse<parse_flags>(stream, limited);
    if (!ok && limited.too_deep()) {
        return JsonProblem{ok.Offset(),
                           "arrays and objects nested more than " + std::to_string(max_depth) +
                               " deep (amr's limit)",
                           true};
    }
    if (!ok) return JsonProblem{ok.Offset(), rj::GetParseError_En(ok.Code())};
    if (stream.Tell() != text.size()) return JsonProblem{stream.Tell(), "Unexpected NUL byte."};
    return std::nullopt;
}

}  // namespace

bool plainly_valid(std::string_view text) {
    return PlainScan(text).document();
}

std::optional<JsonProblem> check_json(std::string_view text, unsigned max_depth) {
    // publish --lines checks millions of lines: most are plain enough for a quick scan.
    if (max_depth >= static_cast<unsigned>(PlainScan::max_depth) && plainly_valid(text))
        return std::nullopt;
    rj::BaseReaderHandler<> ignore;
    return parse_into(text, ignore, max_depth);
}

std::optional<JsonProblem> parse_json(std::string_view text, rj::Document& doc,
                                      unsigned max_depth) {
    doc.SetNull();
    std::optional<JsonProblem> problem;
    auto generator = [&](rj::Document& handler) {
        problem = parse_into(text, handler, max_depth);
        return !problem;
    };
    doc.Populate(generator);
    return problem;
}

bool compact_json(std::string_view text, rj::StringBuffer& out) {
    out.Clear();
    rj::Writer<rj::StringBuffer> writer(out);
    return !parse_into(text, writer, max_json_depth);
}

void require_json(std::string_view text, const std::string& what) {
    if (auto problem = check_json(text)) {
        throw usage_error(what + " is not valid JSON at byte " + std::to_string(problem->offset) +
                              ": " + problem->reason,
                          "use --raw to send it as it is");
    }
}

std::string indent_json(std::string_view text, unsigned indent) {
    rj::StringBuffer out;
    rj::PrettyWriter<rj::StringBuffer> writer(out);
    writer.SetIndent(' ', indent);
    if (parse_into(text, writer, max_json_depth)) return std::string(text);
    return std::string(out.GetString(), out.GetSize());
}

}  // namespace amr::message
