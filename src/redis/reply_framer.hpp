// Where replies end in the bytes a server sends, and whether they keep RESP's limits, found
// as the bytes arrive: each byte is looked at once, and hiredis parses a reply only when it
// is whole. hiredis alone would buffer a string of any announced length and re-scan an
// unfinished line at every read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace amr::redis {

struct ReplyLimits {
    size_t max_bulk = 0;  // the longest string (--proto-max-bulk-len)
    // The longest line (simple string, error, number): Redis's are short.
    static constexpr size_t max_line = 64 * 1024;
    // Aggregates inside aggregates: Redis's replies nest a few levels.
    static constexpr size_t max_depth = 64;
    // An aggregate's elements take at least 3 bytes each ("_\r\n").
    long long max_elements() const { return static_cast<long long>(max_bulk / 3); }
    // One reply in all: a string of max_bulk bytes with its framing.
    size_t max_reply() const { return max_bulk + 64; }
};

class ReplyFramer {
  public:
    explicit ReplyFramer(ReplyLimits limits) : limits_(limits) {}

    // Scans the next bytes of the stream: the number of replies they complete. After a
    // fault it scans nothing more: fault() says what was wrong.
    size_t scan(std::string_view bytes);
    bool failed() const { return !fault_.empty(); }
    const std::string& fault() const { return fault_; }
    // Bytes of the reply that is not whole yet.
    size_t partial_bytes() const { return reply_bytes_; }
    void reset() { *this = ReplyFramer(limits_); }

  private:
    enum class State { type, line, header, payload, payload_cr, payload_lf };
    bool fail(std::string what);
    bool start(char type);
    bool end_header();
    void element_done();

    ReplyLimits limits_;
    State state_ = State::type;
    char type_ = 0;
    size_t line_bytes_ = 0;  // of the current line, its CR included
    bool saw_cr_ = false;
    std::string header_;           // the digits of a length
    uint64_t payload_left_ = 0;    // of a string, before its CRLF
    std::vector<long long> open_;  // elements left in each open aggregate
    size_t reply_bytes_ = 0;
    size_t done_ = 0;
    std::string fault_;
};

}  // namespace amr::redis
