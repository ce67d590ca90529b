#include "redis/push_parser.hpp"

#include <charconv>
#include <string>

#include "error.hpp"

namespace amr::redis {
namespace {

constexpr int max_depth = 8;

[[noreturn]] void protocol_error(size_t offset, const char* what) {
    throw Error(ErrorKind::connection, "protocol error from the server at byte " +
                                        std::to_string(offset) + " of a reply: " + what);
}

// The line after the type byte at `pos`; npos when the CRLF has not arrived yet.
size_t line_end(std::string_view data, size_t pos) {
    return data.find("\r\n", pos);
}

bool parse_length(std::string_view text, long long& value, size_t offset) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) protocol_error(offset, "bad length");
    return true;
}

// Parses one value at `pos`; sets `scalar` for strings and integers. Returns the position
// after it, or npos when incomplete.
size_t parse_value(std::string_view data, size_t pos, std::string_view& scalar, Frame* top,
                   int depth) {
    if (pos >= data.size()) return std::string_view::npos;
    if (depth > max_depth) protocol_error(pos, "nesting too deep");
    const char type = data[pos];
    const size_t eol = line_end(data, pos + 1);
    if (eol == std::string_view::npos) return std::string_view::npos;
    const std::string_view line = data.substr(pos + 1, eol - pos - 1);
    const size_t after_line = eol + 2;
    switch (type) {
        case '+':
        case '-':
        case ':':
        case ',':
        case '#':
        case '(':
            scalar = line;
            if (top) {
                top->type = type == '-'   ? Frame::Type::error
                            : type == ':' ? Frame::Type::integer
                                          : Frame::Type::simple;
                top->text = line;
            }
            return after_line;
        case '_':
            scalar = {};
            if (top) top->type = Frame::Type::null;
            return after_line;
        case '$':
        case '=':
        case '!': {
            long long len = 0;
            parse_length(line, len, pos);
            if (len < 0) {
                scalar = {};
                if (top) top->type = Frame::Type::null;
                return after_line;
            }
            const size_t end = after_line + static_cast<size_t>(len);
            if (end + 2 > data.size()) return std::string_view::npos;
            if (data[end] != '\r' || data[end + 1] != '\n')
                protocol_error(end, "bad bulk string end");
            scalar = data.substr(after_line, static_cast<size_t>(len));
            if (top) {
                top->type = type == '!' ? Frame::Type::error : Frame::Type::simple;
                top->text = scalar;
            }
            return end + 2;
        }
        case '*':
        case '>':
        case '~':
        case '%':
        case '|': {
            long long n = 0;
            parse_length(line, n, pos);
            if (type == '%' || type == '|') n *= 2;  // maps and attributes: key and value
            size_t at = after_line;
            if (top) {
                top->type = n < 0 ? Frame::Type::null : Frame::Type::array;
                top->count = n < 0 ? 0 : static_cast<size_t>(n);
            }
            for (long long i = 0; i < n; ++i) {
                std::string_view item;
                at = parse_value(data, at, item, nullptr, depth + 1);
                if (at == std::string_view::npos) return at;
                if (top && static_cast<size_t>(i) < top->items.size()) top->items[i] = item;
            }
            scalar = {};
            return at;
        }
        default:
            protocol_error(pos, "unknown type byte");
    }
}

}  // namespace

size_t parse_frame(std::string_view data, Frame& frame) {
    frame = Frame{};
    std::string_view scalar;
    size_t end = parse_value(data, 0, scalar, &frame, 0);
    return end == std::string_view::npos ? 0 : end;
}

}  // namespace amr::redis
