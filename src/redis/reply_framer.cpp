#include "redis/reply_framer.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace amr::redis {
namespace {

std::string describe_byte(char c) {
    char buf[16];
    if (c > ' ' && c < 127) {
        std::snprintf(buf, sizeof buf, "'%c'", c);
    } else {
        std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned char>(c));
    }
    return buf;
}

// Digits of a length as they came: printable ones kept, others shown as "?".
std::string shown(std::string_view text) {
    std::string out;
    for (char c : text.substr(0, 24)) out += (c >= ' ' && c < 127) ? c : '?';
    return out;
}

}  // namespace

bool ReplyFramer::fail(std::string what) {
    fault_ = std::move(what);
    return false;
}

bool ReplyFramer::start(char type) {
    type_ = type;
    switch (type) {
        case '+':
        case '-':
        case ':':
        case ',':
        case '_':
        case '#':
        case '(':
            state_ = State::line;
            line_bytes_ = 0;
            saw_cr_ = false;
            return true;
        case '$':
        case '=':
        case '*':
        case '%':
        case '~':
        case '>':
            state_ = State::header;
            header_.clear();
            saw_cr_ = false;
            return true;
        case '|':
            return fail("a RESP3 attribute ('|'), which amr does not take");
        case 0x15:
        case 0x16:
            return fail("a TLS record (byte " + describe_byte(type) + "): the server speaks TLS");
        default:
            return fail("an unknown reply type byte " + describe_byte(type));
    }
}

bool ReplyFramer::end_header() {
    long long n = 0;
    const char* first = header_.data();
    const char* last = first + header_.size();
    auto [end, ec] = std::from_chars(first, last, n);
    if (header_.empty() || ec != std::errc() || end != last) {
        return fail("a length that is not a number ('" + shown(header_) + "')");
    }
    const bool string = type_ == '$' || type_ == '=';
    if (n == -1) {  // a null string or array
        element_done();
        return true;
    }
    if (n < 0) {
        return fail(std::string("a negative length (") + type_ + std::to_string(n) + ")");
    }
    if (string) {
        if (static_cast<unsigned long long>(n) > limits_.max_bulk) {
            return fail("a reply announced a " + std::to_string(n) +
                        "-byte string, past --proto-max-bulk-len (" +
                        std::to_string(limits_.max_bulk) + ")");
        }
        payload_left_ = static_cast<uint64_t>(n);
        state_ = n == 0 ? State::payload_cr : State::payload;
        return true;
    }
    // A map's count is of pairs.
    if (n > limits_.max_elements() || (type_ == '%' && n > limits_.max_elements() / 2)) {
        return fail("a reply announced an aggregate of " + std::to_string(n) +
                    " elements, more than --proto-max-bulk-len (" +
                    std::to_string(limits_.max_bulk) + ") bytes can hold");
    }
    if (n == 0) {
        element_done();
        return true;
    }
    if (open_.size() >= ReplyLimits::max_depth) {
        return fail("aggregates nested more than " + std::to_string(ReplyLimits::max_depth) +
                    " deep");
    }
    open_.push_back(type_ == '%' ? 2 * n : n);
    state_ = State::type;
    return true;
}

void ReplyFramer::element_done() {
    state_ = State::type;
    while (!open_.empty()) {
        if (--open_.back() > 0) return;
        open_.pop_back();
    }
    ++done_;
    reply_bytes_ = 0;
}

size_t ReplyFramer::scan(std::string_view bytes) {
    done_ = 0;
    size_t i = 0;
    while (i < bytes.size() && fault_.empty()) {
        if (state_ == State::payload) {
            const size_t take =
                static_cast<size_t>(std::min<uint64_t>(payload_left_, bytes.size() - i));
            payload_left_ -= take;
            reply_bytes_ += take;
            i += take;
            if (payload_left_ == 0) state_ = State::payload_cr;
        } else {
            const char c = bytes[i++];
            ++reply_bytes_;
            switch (state_) {
                case State::type:
                    start(c);
                    break;
                case State::line:
                    if (saw_cr_ && c == '\n') {
                        element_done();
                    } else if (++line_bytes_ > ReplyLimits::max_line) {
                        fail("a line of more than " + std::to_string(ReplyLimits::max_line) +
                             " bytes");
                    } else {
                        saw_cr_ = c == '\r';
                    }
                    break;
                case State::header:
                    if (saw_cr_ && c == '\n') {
                        end_header();
                    } else if (saw_cr_ || header_.size() >= 24) {
                        header_ += c;
                        fail("a length that is not a number ('" + shown(header_) + "')");
                    } else if (c == '\r') {
                        saw_cr_ = true;
                    } else {
                        header_ += c;
                    }
                    break;
                case State::payload_cr:
                case State::payload_lf:
                    if (c != (state_ == State::payload_cr ? '\r' : '\n')) {
                        fail(
                            "a string not followed by CRLF where its announced length ends "
                            "(found " +
                            describe_byte(c) + ")");
                    } else if (state_ == State::payload_cr) {
                        state_ = State::payload_lf;
                    } else {
                        element_done();
                    }
                    break;
                case State::payload:
                    break;
            }
        }
        if (fault_.empty() && reply_bytes_ > limits_.max_reply()) {
            fail("a reply of more than " + std::to_string(limits_.max_reply()) +
                 " bytes, past --proto-max-bulk-len (" + std::to_string(limits_.max_bulk) + ")");
        }
    }
    return done_;
}

}  // namespace amr::redis
