#include "redis/push_parser.hpp"

#include <charconv>
#include <cstdio>
#include <cstring>

#include "error.hpp"

namespace amr::redis {
namespace {

// The shortest value RESP has is 3 bytes ("_\r\n"): an aggregate that announces more
// values than a frame of max_bulk bytes could hold is refused before any of them arrives.
constexpr uint64_t min_value_size = 3;
// A length or integer line: a sign and 19 digits, with room to spare.
constexpr size_t max_number_line = 32;

bool is_number_line(char type) {
    switch (type) {
        case '$':
        case '=':
        case '!':
        case '*':
        case '>':
        case '~':
        case '%':
        case '|':
        case ':':
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
            return true;
        default:
            return is_number_line(type);
    }
}

}  // namespace

FrameParser::FrameParser(size_t max_bulk, std::string source)
    : max_bulk_(max_bulk), source_(std::move(source)) {}

void FrameParser::reset() {
    state_ = State::header;
    pos_ = scan_ = keep_ = dropped_ = 0;
    bulk_left_ = 0;
    depth_ = 0;
    type_ = Frame::Type::null;
    count_ = 0;
    items_ = {};
    text_ = {};
}

void FrameParser::dropped() {
    dropped_ += pos_ - keep_;
    pos_ = keep_;
}

void FrameParser::fail(size_t at, const std::string& what) const {
    throw Error(ErrorKind::connection,
                "protocol error from " + source_ + " at byte " + std::to_string(dropped_ + at) +
                    " of a reply: " + what,
                "a Redis server does not send this; check that the host and port are Redis's");
}

long long FrameParser::length(const char* line, size_t size) const {
    long long value = 0;
    auto [end, ec] = std::from_chars(line, line + size, value);
    if (ec != std::errc() || end != line + size) fail(pos_, "a length that is not a number");
    if (value < -1) fail(pos_, "a negative length");
    return value;
}

// Whether the value at pos_ is one the frame hands out: a top-level scalar, or one of
// the first items of a top-level aggregate.
bool FrameParser::keeps_next() const {
    if (depth_ == 0) return true;
    return depth_ == 1 && !levels_[0].attribute && count_ - levels_[0].left < items_.size();
}

void FrameParser::keep(Span span) {
    if (depth_ == 0) {
        text_ = span;
    } else {
        items_[count_ - levels_[0].left] = span;
    }
}

// One value ended; closes the aggregates it ends. True when the frame is whole.
bool FrameParser::value_done() {
    while (depth_ > 0) {
        Level& top = levels_[depth_ - 1];
        if (--top.left > 0) return false;
        --depth_;
        // An attribute describes the value after it, which is still to come.
        if (top.attribute) return false;
    }
    return true;
}

size_t FrameParser::finish(std::string_view data, Frame& frame) {
    frame.type = type_;
    frame.count = count_;
    for (size_t i = 0; i < items_.size(); ++i) {
        frame.items[i] = data.substr(items_[i].at, items_[i].size);
    }
    frame.text = data.substr(text_.at, text_.size);
    const size_t size = pos_;
    reset();
    return size;
}

size_t FrameParser::parse(std::string_view data, Frame& frame) {
    const char* const d = data.data();
    const size_t size = data.size();
    for (;;) {
        switch (state_) {
            case State::kept_bulk: {
                if (size - pos_ < bulk_left_ + 2) return 0;
                const size_t end = pos_ + bulk_left_;
                if (d[end] != '\r' || d[end + 1] != '\n') {
                    fail(end, "a bulk string that does not end where its length says");
                }
                keep({pos_, bulk_left_});
                pos_ = keep_ = end + 2;
                state_ = State::header;
                if (value_done()) return finish(data, frame);
                continue;
            }
            case State::skipped_bulk: {
                const uint64_t take = std::min<uint64_t>(bulk_left_, size - pos_);
                pos_ += take;
                bulk_left_ -= take;
                if (bulk_left_ > 0) return 0;
                state_ = State::bulk_end;
                continue;
            }
            case State::bulk_end:
                if (size - pos_ < 2) return 0;
                if (d[pos_] != '\r' || d[pos_ + 1] != '\n') {
                    fail(pos_, "a bulk string that does not end where its length says");
                }
                pos_ += 2;
                state_ = State::header;
                if (value_done()) return finish(data, frame);
                continue;
            case State::header:
                break;
        }

        if (pos_ >= size) return 0;
        const char type = d[pos_];
        if (!is_type(type)) {
            fail(pos_, "unknown type byte " + hex(static_cast<unsigned char>(type)));
        }
        const bool number = is_number_line(type);
        const size_t limit = number ? max_number_line : max_line;
        // The CRLF ending the line, searched for only in bytes not searched before.
        const size_t line = pos_ + 1;
        size_t from = line + scan_;
        const char* cr = nullptr;
        while (from < size) {
            cr = static_cast<const char*>(std::memchr(d + from, '\r', size - from));
            if (cr == nullptr || cr + 1 == d + size || cr[1] == '\n') break;
            if (number) fail(static_cast<size_t>(cr - d), "a CR without LF in a length line");
            from = static_cast<size_t>(cr - d) + 1;
            cr = nullptr;
        }
        if (cr == nullptr || cr + 1 == d + size) {
            scan_ = (cr == nullptr ? size : static_cast<size_t>(cr - d)) - line;
            if (scan_ > limit) {
                fail(pos_,
                     "a header line longer than " + std::to_string(limit) + " bytes without CRLF");
            }
            return 0;
        }
        const size_t len = static_cast<size_t>(cr - d) - line;
        if (len > limit) {
            fail(pos_, "a header line longer than " + std::to_string(limit) + " bytes");
        }
        scan_ = 0;
        const size_t next = line + len + 2;

        switch (type) {
            case '$':
            case '=':
            case '!': {
                const long long n = length(d + line, len);
                pos_ = next;
                if (n == -1) break;  // a null, like '_'
                if (static_cast<uint64_t>(n) > max_bulk_) {
                    fail(line - 1, "a string of " + std::to_string(n) +
                                       " bytes announced, over --proto-max-bulk-len (" +
                                       std::to_string(max_bulk_) + " bytes)");
                }
                if (depth_ == 0) type_ = type == '!' ? Frame::Type::error : Frame::Type::simple;
                bulk_left_ = static_cast<uint64_t>(n);
                state_ = keeps_next() ? State::kept_bulk : State::skipped_bulk;
                continue;
            }
            case '*':
            case '>':
            case '~':
            case '%':
            case '|': {
                const long long n = length(d + line, len);
                pos_ = next;
                if (n == -1) break;
                const bool pairs = type == '%' || type == '|';
                const uint64_t most = max_bulk_ / min_value_size / (pairs ? 2 : 1);
                if (static_cast<uint64_t>(n) > most) {
                    fail(line - 1, "an aggregate of " + std::to_string(n) +
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
                    if (value_done()) return finish(data, frame);
                    continue;
                }
                if (depth_ == max_depth) {
                    fail(line - 1, "aggregates nested deeper than " + std::to_string(max_depth));
                }
                levels_[depth_++] = {values, attribute};
                continue;
            }
            case '_':
                pos_ = next;
                break;
            default:  // + - : , # (
                if (depth_ == 0) {
                    type_ = type == '-'   ? Frame::Type::error
                            : type == ':' ? Frame::Type::integer
                                          : Frame::Type::simple;
                }
                pos_ = next;
                if (keeps_next()) {
                    keep({line, len});
                    keep_ = pos_;
                }
                if (value_done()) return finish(data, frame);
                continue;
        }
        // A null: of the frame itself, or an item left empty.
        if (depth_ == 0) type_ = Frame::Type::null;
        if (value_done()) return finish(data, frame);
    }
}

size_t parse_frame(std::string_view data, Frame& frame) {
    FrameParser parser;
    return parser.parse(data, frame);
}

}  // namespace amr::redis
