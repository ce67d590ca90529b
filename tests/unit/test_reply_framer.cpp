#include "redis/reply_framer.hpp"

#include <doctest/doctest.h>

#include <string>

using amr::redis::ReplyFramer;
using amr::redis::ReplyLimits;

namespace {

ReplyFramer framer(size_t max_bulk = 1024) {
    return ReplyFramer(ReplyLimits{max_bulk});
}

// Feeds `bytes` one at a time: replies end where they end whatever the reads.
size_t byte_by_byte(ReplyFramer& f, const std::string& bytes) {
    size_t done = 0;
    for (char c : bytes) done += f.scan(std::string_view(&c, 1));
    return done;
}

}  // namespace

TEST_CASE("ReplyFramer finds where RESP2 and RESP3 replies end") {
    const std::string replies =
        "+PONG\r\n-ERR no\r\n:42\r\n$5\r\nhe\r\no\r\n$-1\r\n$0\r\n\r\n*-1\r\n*0\r\n"
        "*2\r\n$1\r\na\r\n*1\r\n:1\r\n%1\r\n+proto\r\n:3\r\n~2\r\n_\r\n#t\r\n"
        ",1.5\r\n(123\r\n=8\r\ntxt:abcd\r\n>2\r\n+a\r\n+b\r\n";
    auto whole = framer();
    CHECK(whole.scan(replies) == 15);
    CHECK_FALSE(whole.failed());
    CHECK(whole.partial_bytes() == 0);
    auto split = framer();
    CHECK(byte_by_byte(split, replies) == 15);
    CHECK_FALSE(split.failed());
}

TEST_CASE("ReplyFramer counts a reply only when its last byte came") {
    auto f = framer();
    CHECK(f.scan("*2\r\n$3\r\nab") == 0);
    CHECK(f.partial_bytes() == 10);
    CHECK(f.scan("c\r\n:1") == 0);
    CHECK(f.scan("\r\n+OK\r") == 1);
    CHECK(f.scan("\n") == 1);
}

TEST_CASE("ReplyFramer refuses what a server may not send, at once") {
    struct Case {
        std::string bytes;
        std::string fault;
    };
    const Case cases[] = {
        {"!x\r\n", "an unknown reply type byte '!'"},
        {"\x16\x03\x01", "a TLS record (byte 0x16): the server speaks TLS"},
        {"|1\r\n", "a RESP3 attribute"},
        {"$-2\r\n", "a negative length ($-2)"},
        {"*-7\r\n", "a negative length (*-7)"},
        {"$1x\r\n", "a length that is not a number ('1x')"},
        {"$\r\n", "a length that is not a number ('')"},
        {"$1\rx", "a length that is not a number"},
        {"$2000\r\n", "a reply announced a 2000-byte string, past --proto-max-bulk-len (1024)"},
        {"*342\r\n", "an aggregate of 342 elements, more than --proto-max-bulk-len (1024)"},
        {"%200\r\n", "an aggregate of 200 elements"},  // 400 elements, past 341
        {"$3\r\nabcde", "a string not followed by CRLF"},
        {"$3\r\nabc\rx", "a string not followed by CRLF"},
        {"+" + std::string(ReplyLimits::max_line + 1, 'x'), "a line of more than 65536 bytes"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.bytes.substr(0, 20));
        auto f = c.bytes[0] == '+' ? framer(1 << 20) : framer();
        byte_by_byte(f, c.bytes);
        REQUIRE(f.failed());
        CHECK(f.fault().find(c.fault) != std::string::npos);
    }
}

TEST_CASE("ReplyFramer allows strings up to the limit and no more nesting than 64") {
    auto f = framer(4);
    CHECK(f.scan("$4\r\nabcd\r\n") == 1);
    CHECK(f.scan("*1\r\n*1\r\n:1\r\n") == 1);
    f = framer();
    std::string deep;
    for (int i = 0; i < 65; ++i) deep += "*1\r\n";
    CHECK(f.scan(deep) == 0);
    CHECK(f.fault().find("nested more than 64 deep") != std::string::npos);
    // After a fault nothing more is scanned.
    CHECK(f.scan("+OK\r\n") == 0);
}

TEST_CASE("ReplyFramer bounds a whole reply, not only its strings") {
    auto f = framer(30);  // aggregates of up to 10 elements, replies of up to 94 bytes
    std::string many = "*10\r\n";
    for (int i = 0; i < 10; ++i) many += "$28\r\n" + std::string(28, 'x') + "\r\n";
    f.scan(many);
    REQUIRE(f.failed());
    CHECK(f.fault().find("a reply of more than 94 bytes") != std::string::npos);
}
