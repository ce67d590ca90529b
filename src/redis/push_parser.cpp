#include "redis/push_parser.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>

#include "error.hpp"

namespace amr::redis {
namespace {

// The shortest value RESP has is 3 bytes ("_\r\n"): an aggregate that announces more
// values than a frame of max_bulk bytes could hold is refused before any of them arrives.
constexpr uint64_t min_value_size = 3;
// A length line: a sign and 19 digits, with room to spare.
constexpr size_t max_number_line = 32;

bool is_length_line(char type) {
    switch (type) {
        case '$':
        case '=':
        case '!':
        case '*':
        case '>':
        case '~':
        case '%':
        case '|':
            return true;
        default:
            return false;
    }
}

std::string hex(unsigned char byte) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%02X", byte);
    return text;
}

bool is_type(char type) {
    switch (type) {
        case '+':
        case '-':
        case ',':
        case '#':
        case '(':
        case '_':
        case ':':
            return true;
        default:
            return is_length_line(type);
    }
}

}  // namespace

Error frame_error(const std::string& source, size_t at, const std::string& what) {
    return Error(
        ErrorKind::connection,
        "protocol error from " + source + " at byte " + std::to_string(at) + " of a reply: " + what,
        "a Redis server does not send this; check that the host and port are Redis's");
}

FrameParser::FrameParser(size_t max_bulk, std::string source, Attributes attributes)
    : max_bulk_(max_bulk), source_(std::move(source)), attributes_(attributes) {}

// clear() and the helpers of parse() run for every value: inlined (always_inline), or
// their calls cost as much as the parsing itself.
[[gnu::always_inline]] inline void FrameParser::clear() {
    state_ = State::header;
    pos_ = scan_ = keep_ = dropped_ = 0;
    bulk_left_ = 0;
    depth_ = 0;
    type_ = Frame::Type::null;
    count_ = 0;
    items_ = {};
    strings_ = 0;
    text_ = {};
}

void FrameParser::reset() {
    clear();
}

void FrameParser::dropped() {
    dropped_ += pos_ - keep_;
    pos_ = keep_;
}

void FrameParser::fail(size_t at, const std::string& what) const {
    throw frame_error(source_, dropped_ + at, what);
}

// The length line at `at` (its type byte): false while its CRLF has not come. Read
// digit by digit, not searched for CRLF first: the line is short, and the hot path's.
[[gnu::always_inline]] inline bool FrameParser::read_length(const char* d, size_t size, size_t at,
                                                            long long& value, size_t& next) const {
    size_t i = at + 1;
    const bool negative = i < size && d[i] == '-';
    if (negative) ++i;
    const size_t digits = i;
    uint64_t v = 0;
    while (i < size && static_cast<unsigned char>(d[i] - '0') < 10) {
        v = v * 10 + static_cast<uint64_t>(d[i] - '0');
        ++i;
    }
    if (i - at - 1 > max_number_line) {
        fail(at, "a length line longer than " + std::to_string(max_number_line) + " bytes");
    }
    if (i == size || (i + 1 == size && d[i] == '\r')) return false;
    if (d[i] != '\r' || i == digits) fail(at, "a length that is not a number");
    if (d[i + 1] != '\n') fail(i, "a CR without LF in a length line");
    if (negative && (i - digits != 1 || v != 1)) fail(at, "a negative length");
    // 19 digits cannot overflow 64 bits; more are past any length.
    if (i - digits > 19 || v > static_cast<uint64_t>(LLONG_MAX)) {
        fail(at, "a length that is not a number");
    }
    value = negative ? -1 : static_cast<long long>(v);
    next = i + 2;
    return true;
}

// Whether the value at pos_ is one the frame hands out: a top-level scalar, or one of
// the first items of a top-level aggregate.
[[gnu::always_inline]] inline bool FrameParser::keeps_next() const {
    if (depth_ == 0) return true;
    return depth_ == 1 && !levels_[0].attribute && count_ - levels_[0].left < items_.size();
}

[[gnu::always_inline]] inline void FrameParser::keep(Span span) {
    if (depth_ == 0) {
        text_ = span;
    } else {
        const size_t index = count_ - levels_[0].left;
        items_[index] = span;
        strings_ |= 1u << index;
    }
}

// One value ended; closes the aggregates it ends. True when the frame is whole.
[[gnu::always_inline]] inline bool FrameParser::value_done() {
    while (depth_ > 0) {
        Level& top = levels_[depth_ - 1];
        if (--top.left > 0) return false;
        --depth_;
        // An attribute describes the value after it, which is still to come.
        if (top.attribute) return false;
    }
    return true;
}

[[gnu::always_inline]] inline size_t FrameParser::finish(const char* d, size_t end, Frame& frame) {
    frame.type = type_;
    frame.count = count_;
    frame.strings = strings_;
    for (size_t i = 0; i < items_.size(); ++i) {
        frame.items[i] = std::string_view(d + items_[i].at, items_[i].size);
    }
    frame.text = std::string_view(d + text_.at, text_.size);
    clear();
    return end;
}

size_t FrameParser::parse(std::string_view data, Frame& frame) {
    const char* const d = data.data();
    const size_t size = data.size();
    size_t p = pos_;  // kept in a register; pos_ is written back when the bytes run out
    for (;;) {
        if (state_ != State::header) {
            // Going on inside a bulk string that was cut off.
            if (state_ == State::kept_bulk) {
                if (size - p < bulk_left_ + 2) break;
                const size_t end = p + bulk_left_;
                if (d[end] != '\r' || d[end + 1] != '\n') {
                    fail(end, "a bulk string that does not end where its length says");
                }
                keep({p, bulk_left_});
                p = keep_ = end + 2;
            } else if (state_ == State::skipped_bulk) {
                const uint64_t take = std::min<uint64_t>(bulk_left_, size - p);
                p += take;
                bulk_left_ -= take;
                if (bulk_left_ > 0) break;
                state_ = State::bulk_end;
                continue;
            } else {
                if (size - p < 2) break;
                if (d[p] != '\r' || d[p + 1] != '\n') {
                    fail(p, "a bulk string that does not end where its length says");
                }
                p += 2;
            }
            state_ = State::header;
            if (value_done()) return finish(d, p, frame);
            continue;
        }

        if (p >= size) break;
        const char type = d[p];
        if (!is_type(type)) fail(p, "unknown type byte " + hex(static_cast<unsigned char>(type)));

        if (is_length_line(type)) {
            long long n = 0;
            size_t next = 0;
            if (!read_length(d, size, p, n, next)) break;
            const size_t header = p;
            p = next;
            if (n == -1) {
                // A null, like '_'.
            } else if (type == '$' || type == '=' || type == '!') {
                const auto len = static_cast<uint64_t>(n);
                if (len > max_bulk_) {
                    fail(header, "a string of " + std::to_string(n) +
                                     " bytes announced, over --proto-max-bulk-len (" +
                                     std::to_string(max_bulk_) + " bytes)");
                }
                if (depth_ == 0) type_ = type == '!' ? Frame::Type::error : Frame::Type::simple;
                const bool kept = keeps_next();
                if (size - p < len + 2) {
                    bulk_left_ = len;
                    state_ = kept ? State::kept_bulk : State::skipped_bulk;
                    continue;
                }
                if (d[p + len] != '\r' || d[p + len + 1] != '\n') {
                    fail(p + len, "a bulk string that does not end where its length says");
                }
                if (kept) keep({p, len});
                p += len + 2;
                if (kept) keep_ = p;
                if (value_done()) return finish(d, p, frame);
                continue;
            } else {
                if (type == '|' && attributes_ == Attributes::refuse) {
                    fail(header, "a RESP3 attribute ('|'), which amr does not take in a reply");
                }
                const bool pairs = type == '%' || type == '|';
                const uint64_t most = max_bulk_ / min_value_size / (pairs ? 2 : 1);
                if (static_cast<uint64_t>(n) > most) {
                    fail(header, "an aggregate of " + std::to_string(n) +
                                     (pairs ? " pairs" : " values") +
                                     " announced, more than --proto-max-bulk-len (" +
                                     std::to_string(max_bulk_) + " bytes) can hold");
                }
                const uint64_t values = static_cast<uint64_t>(n) * (pairs ? 2 : 1);
                const bool attribute = type == '|';
                if (depth_ == 0 && !attribute) {
                    type_ = Frame::Type::array;
                    count_ = values;
                }
                if (values == 0) {
                    if (attribute) continue;
                    if (value_done()) return finish(d, p, frame);
                    continue;
                }
                if (depth_ == max_depth) {
                    fail(header, "aggregates nested deeper than " + std::to_string(max_depth));
                }
                levels_[depth_++] = {values, attribute};
                continue;
            }
        } else {
            // A text line: the CRLF searched for only in bytes not searched before.
            const size_t line = p + 1;
            size_t from = line + scan_;
            const char* cr = nullptr;
            while (from < size) {
                cr = static_cast<const char*>(std::memchr(d + from, '\r', size - from));
                if (cr == nullptr || cr + 1 == d + size || cr[1] == '\n') break;
                from = static_cast<size_t>(cr - d) + 1;
                cr = nullptr;
            }
            // Up to the CR (its LF may not have come yet), or all there is.
            const size_t scanned = (cr != nullptr ? static_cast<size_t>(cr - d) : size) - line;
            if (scanned > max_line) {
                fail(p, "a header line longer than " + std::to_string(max_line) + " bytes");
            }
            if (cr == nullptr || cr + 1 == d + size) {
                scan_ = scanned;
                break;
            }
            scan_ = 0;
            p = line + scanned + 2;
            if (type != '_') {
                if (depth_ == 0) {
                    type_ = type == '-'   ? Frame::Type::error
                            : type == ':' ? Frame::Type::integer
                                          : Frame::Type::simple;
                }
                if (keeps_next()) {
                    keep({line, scanned});
                    keep_ = p;
                }
                if (value_done()) return finish(d, p, frame);
                continue;
            }
        }
        // A null: of the frame itself, or an item left empty.
        if (depth_ == 0) type_ = Frame::Type::null;
        if (value_done()) return finish(d, p, frame);
    }
    pos_ = p;
    return 0;
}

size_t parse_frame(std::string_view data, Frame& frame) {
    FrameParser parser;
    return parser.parse(data, frame);
}

}  // namespace amr::redis
