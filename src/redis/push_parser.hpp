// amr's one RESP2/RESP3 frame parser. Subscribed connections read pub/sub traffic with it
// instead of through hiredis's reply objects (five allocations a message are too many to
// keep up with a server publishing at full speed); the command connection frames replies
// with it, so hiredis parses a reply only once it is whole and checked.
//
// The bytes come from a server that may lie: the parser keeps its place inside a frame
// that is cut off (the aggregates open around it, the value in progress), so each byte
// is looked at once however the frame is split across reads; bulk payloads amr does not
// keep are skipped by their length, unread; and every length is checked against what
// Redis itself allows before any byte of it is waited for.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/settings.hpp"
#include "error.hpp"

namespace amr::redis {

// The error for bytes from `source` that are not RESP or break a limit, at byte `at` of
// the frame they are in.
Error frame_error(const std::string& source, size_t at, const std::string& what);

struct Frame {
    enum class Type { array, error, simple, integer, null };
    Type type = Type::null;
    // Arrays and pushes: the first items (bulk or simple strings, integers as text).
    std::array<std::string_view, 4> items;
    size_t count = 0;       // items in the array (may exceed items.size())
    unsigned strings = 0;   // bit i set: items[i] is a string or integer (not an aggregate or null)
    std::string_view text;  // error and simple strings, integer text
};

class FrameParser {
  public:
    // Header lines (a type byte and up to CRLF: simple strings, errors, integers) longer
    // than this are not RESP from Redis; length lines have at most 32 bytes.
    static constexpr size_t max_line = 64 * 1024;
    static constexpr int max_depth = 16;  // aggregates inside aggregates

    // What a RESP3 attribute ('|') is to the caller: skipped (a push is the value after
    // it), or refused: hiredis returns an attribute as a reply of its own, which would put
    // its replies out of step with the frames counted here.
    enum class Attributes : uint8_t { skip, refuse };

    // `max_bulk`: the longest string a frame may announce (--proto-max-bulk-len);
    // `source` names the server in error messages.
    explicit FrameParser(size_t max_bulk = config::Settings::default_max_bulk,
                         std::string source = "the server",
                         Attributes attributes = Attributes::skip);

    // Goes on with the frame in progress. `data` holds its bytes from its first one: the
    // bytes earlier calls saw (less any dropped, see kept()) and possibly more. Returns
    // the frame's size once it is whole, with `frame` filled in (views into `data`), and
    // starts over for the next frame; 0 while more bytes are needed. Throws a connection
    // Error on bytes that are not RESP or on a length over a limit.
    size_t parse(std::string_view data, Frame& frame);

    // Bytes [kept(), parsed()) of the frame in progress are no longer needed (skipped
    // payloads, nested values): a caller may remove them from `data`, then call dropped().
    size_t kept() const { return keep_; }
    size_t parsed() const { return pos_; }
    void dropped();
    // Whether a frame is in progress that has consumed bytes.
    bool started() const { return pos_ + dropped_ > 0; }

    // Forgets the frame in progress.
    void reset();

  private:
    enum class State : uint8_t { header, kept_bulk, skipped_bulk, bulk_end };
    struct Level {
        uint64_t left;   // values still to come
        bool attribute;  // a RESP3 attribute: not a value itself, it describes the next one
    };
    struct Span {
        size_t at = 0;
        size_t size = 0;
    };

    void clear();
    bool value_done();
    bool keeps_next() const;
    void keep(Span span);
    size_t finish(const char* data, size_t end, Frame& frame);
    bool read_length(const char* d, size_t size, size_t at, long long& value, size_t& next) const;
    [[noreturn, gnu::cold, gnu::noinline]] void fail(size_t at, const std::string& what) const;

    size_t max_bulk_;
    std::string source_;
    Attributes attributes_;
    State state_ = State::header;
    size_t pos_ = 0;      // the first byte not consumed
    size_t scan_ = 0;     // bytes of the header line at pos_ known to hold no CRLF
    size_t keep_ = 0;     // bytes before this are needed for the frame
    size_t dropped_ = 0;  // bytes of this frame the caller removed (for error offsets)
    uint64_t bulk_left_ = 0;
    int depth_ = 0;
    std::array<Level, max_depth> levels_{};
    Frame::Type type_ = Frame::Type::null;
    size_t count_ = 0;
    std::array<Span, 4> items_{};
    unsigned strings_ = 0;
    Span text_;
};

// Parses the frame at the start of `data` into `frame`; returns the bytes it took, or 0
// when `data` holds only part of a frame. Throws a connection Error on bytes that are not
// RESP.
size_t parse_frame(std::string_view data, Frame& frame);

}  // namespace amr::redis
