#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "error.hpp"
#include "redis/push_parser.hpp"
#include "redis/subscriber.hpp"

using amr::redis::decode_pubsub;
using amr::redis::Frame;
using amr::redis::parse_frame;
using amr::redis::PubSubEvent;

namespace {
const std::string message_frame = "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n";
}

TEST_CASE("parse_frame reads a RESP2 message array and decode_pubsub names its parts") {
    Frame f;
    REQUIRE(parse_frame(message_frame, f) == message_frame.size());
    CHECK(f.type == Frame::Type::array);
    CHECK(f.count == 3);
    PubSubEvent e = decode_pubsub(f);
    CHECK(e.kind == PubSubEvent::Kind::message);
    CHECK(e.channel == "ch");
    CHECK(e.payload == "hello");
}

TEST_CASE("parse_frame returns 0 for every incomplete prefix of a frame") {
    Frame f;
    for (size_t n = 0; n < message_frame.size(); ++n) {
        CHECK_MESSAGE(parse_frame(message_frame.substr(0, n), f) == 0, "prefix of " << n);
    }
}

TEST_CASE("parse_frame takes one frame when several are buffered") {
    const std::string two = message_frame + message_frame;
    Frame f;
    CHECK(parse_frame(two, f) == message_frame.size());
}

TEST_CASE("parse_frame keeps binary payloads with CRLF and NUL bytes") {
    const std::string payload("a\r\nb\0c", 6);
    const std::string frame = "*3\r\n$7\r\nmessage\r\n$1\r\nx\r\n$6\r\n" + payload + "\r\n";
    Frame f;
    REQUIRE(parse_frame(frame, f) == frame.size());
    CHECK(decode_pubsub(f).payload == payload);
}

TEST_CASE("parse_frame reads pmessage, confirmations, RESP3 pushes and pong") {
    Frame f;
    const std::string pmessage = "*4\r\n$8\r\npmessage\r\n$3\r\no:*\r\n$3\r\no:a\r\n$2\r\n{}\r\n";
    REQUIRE(parse_frame(pmessage, f) == pmessage.size());
    PubSubEvent e = decode_pubsub(f);
    CHECK(e.kind == PubSubEvent::Kind::pmessage);
    CHECK(e.pattern == "o:*");
    CHECK(e.channel == "o:a");
    CHECK(e.payload == "{}");

    const std::string confirm = ">3\r\n$10\r\npsubscribe\r\n$3\r\no:*\r\n:2\r\n";
    REQUIRE(parse_frame(confirm, f) == confirm.size());
    e = decode_pubsub(f);
    CHECK(e.kind == PubSubEvent::Kind::subscribed);
    CHECK(e.for_pattern);
    CHECK(e.count == 2);

    const std::string pong = "*2\r\n$4\r\npong\r\n$0\r\n\r\n";
    REQUIRE(parse_frame(pong, f) == pong.size());
    CHECK(decode_pubsub(f).kind == PubSubEvent::Kind::pong);
}

TEST_CASE("parse_frame reads errors, simple strings, integers and nulls") {
    Frame f;
    REQUIRE(parse_frame("-ERR nope\r\n", f) == 11);
    CHECK(f.type == Frame::Type::error);
    CHECK(decode_pubsub(f).kind == PubSubEvent::Kind::error);
    CHECK(decode_pubsub(f).payload == "ERR nope");
    REQUIRE(parse_frame("+OK\r\n", f) == 5);
    CHECK(f.type == Frame::Type::simple);
    CHECK(f.text == "OK");
    REQUIRE(parse_frame(":42\r\n", f) == 5);
    CHECK(f.type == Frame::Type::integer);
    REQUIRE(parse_frame("$-1\r\n", f) == 5);
    CHECK(f.type == Frame::Type::null);
    REQUIRE(parse_frame("_\r\n", f) == 3);
    CHECK(f.type == Frame::Type::null);
}

TEST_CASE("parse_frame skips nested arrays and maps it does not need") {
    const std::string nested = "*2\r\n*2\r\n:1\r\n:2\r\n%1\r\n+k\r\n+v\r\n";
    Frame f;
    CHECK(parse_frame(nested, f) == nested.size());
    CHECK(f.count == 2);
}

TEST_CASE("parse_frame rejects bytes that are not RESP with the offset") {
    Frame f;
    try {
        parse_frame("?what\r\n", f);
        FAIL("no error");
    } catch (const amr::Error& e) {
        CHECK(std::string(e.what()).find("byte 0") != std::string::npos);
    }
    CHECK_THROWS_AS(parse_frame("$3\r\nabcXY", f), amr::Error);
    CHECK_THROWS_AS(parse_frame("*x\r\n", f), amr::Error);
}

// ---- the resumable parser: limits, prefixes, one byte at a time

using amr::redis::FrameParser;

namespace {

// Frames a subscribed connection may see, RESP2 and RESP3.
const std::vector<std::string> sample_frames = {
    message_frame,
    "*4\r\n$8\r\npmessage\r\n$3\r\no:*\r\n$3\r\no:a\r\n$2\r\n{}\r\n",
    ">3\r\n$8\r\nsmessage\r\n$4\r\n{a}b\r\n$4\r\na\r\nb\r\n",
    ">3\r\n$10\r\npsubscribe\r\n$3\r\no:*\r\n:2\r\n",
    "*2\r\n$4\r\npong\r\n$0\r\n\r\n",
    "|1\r\n+ttl\r\n:3\r\n>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\np\r\n",
    "*5\r\n$7\r\nmessage\r\n*2\r\n:1\r\n%1\r\n+k\r\n$2\r\nvv\r\n|0\r\n_\r\n$-1\r\n,1.5\r\n",
    "%2\r\n+a\r\n:1\r\n+b\r\n*-1\r\n",
    "-ERR unknown command\r\n",
    "!5\r\nERR x\r\n",
    "+OK\r\n",
    ":-12\r\n",
    "$-1\r\n",
    "*-1\r\n",
    "_\r\n",
    "=7\r\ntxt:abc\r\n",
    "*0\r\n",
};

std::string describe(const Frame& f) {
    std::string s = std::to_string(static_cast<int>(f.type));
    s.append("/").append(std::to_string(f.count)).append("/").append(f.text);
    for (auto item : f.items) s.append("|").append(item);
    return s;
}

// Parses `frame` handed over `step` bytes at a time, dropping what the parser no longer
// needs whenever it allows (as PushReader does), and describes the frame it gives.
std::string parse_in_steps(const std::string& frame, size_t step, bool drop) {
    FrameParser parser;
    std::string buffer;
    Frame f;
    for (size_t at = 0; at < frame.size();) {
        const size_t n = std::min(step, frame.size() - at);
        buffer.append(frame, at, n);
        at += n;
        const size_t used = parser.parse(buffer, f);
        if (used > 0) {
            CHECK(at == frame.size());
            CHECK(used == buffer.size());
            return describe(f);
        }
        if (drop && parser.parsed() > parser.kept()) {
            buffer.erase(parser.kept(), parser.parsed() - parser.kept());
            parser.dropped();
        }
    }
    return "incomplete";
}

std::string error_of(std::string_view data, size_t max_bulk = 512 * 1024 * 1024) {
    FrameParser parser(max_bulk, "test:1");
    Frame f;
    try {
        parser.parse(data, f);
    } catch (const amr::Error& e) {
        CHECK(e.kind() == amr::ErrorKind::connection);
        return e.what();
    }
    return "";
}

bool has(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("every prefix of a frame is incomplete, never another frame") {
    for (const auto& frame : sample_frames) {
        Frame f;
        REQUIRE_MESSAGE(parse_frame(frame, f) == frame.size(), frame);
        for (size_t n = 0; n < frame.size(); ++n) {
            CHECK_MESSAGE(parse_frame(std::string_view(frame).substr(0, n), f) == 0,
                          frame << " cut at " << n);
        }
    }
}

TEST_CASE("a frame fed one byte at a time parses as the whole buffer does") {
    for (const auto& frame : sample_frames) {
        Frame whole;
        REQUIRE(parse_frame(frame, whole) == frame.size());
        for (size_t step : {1, 2, 3, 7}) {
            CHECK_MESSAGE(parse_in_steps(frame, step, false) == describe(whole), frame);
            CHECK_MESSAGE(parse_in_steps(frame, step, true) == describe(whole), frame);
        }
    }
}

TEST_CASE("an attribute before a push is skipped: the push is the frame") {
    Frame f;
    const std::string& frame = sample_frames[5];
    REQUIRE(parse_frame(frame, f) == frame.size());
    const PubSubEvent e = decode_pubsub(f);
    CHECK(e.kind == PubSubEvent::Kind::message);
    CHECK(e.channel == "c");
    CHECK(e.payload == "p");
}

TEST_CASE("the items of a frame are its first top-level values; nested ones are skipped") {
    Frame f;
    const std::string& frame = sample_frames[6];
    REQUIRE(parse_frame(frame, f) == frame.size());
    CHECK(f.count == 5);
    CHECK(f.items[0] == "message");
    CHECK(f.items[1].empty());  // an array
    CHECK(f.items[2].empty());  // a null after an attribute
    CHECK(f.items[3].empty());  // a null bulk
}

TEST_CASE("a parser goes on with the next frame after one is whole") {
    FrameParser parser;
    const std::string two = message_frame + sample_frames[1];
    Frame f;
    const size_t first = parser.parse(two, f);
    REQUIRE(first == message_frame.size());
    CHECK(parser.parse(std::string_view(two).substr(first), f) == sample_frames[1].size());
    CHECK(decode_pubsub(f).kind == PubSubEvent::Kind::pmessage);
}

TEST_CASE("lengths over --proto-max-bulk-len fail at once, before the payload comes") {
    CHECK(has(error_of("$100000000000\r\n"), "over --proto-max-bulk-len"));
    CHECK(has(error_of("*3\r\n$7\r\nmessage\r\n$100000000000\r\n"), "at byte 17"));
    CHECK(has(error_of("$11\r\n", 10), "over --proto-max-bulk-len (10 bytes)"));
    CHECK(error_of("$10\r\n", 10).empty());
    CHECK(has(error_of(">2147483647\r\n"), "can hold"));
    CHECK(has(error_of("*2147483647\r\n"), "can hold"));
    CHECK(error_of("*3\r\n", 9).empty());
    CHECK(has(error_of("*4\r\n", 9), "can hold"));
}

TEST_CASE("map and attribute lengths cannot overflow when doubled") {
    for (const char* frame : {"%4611686018427387904\r\n", "|4611686018427387904\r\n",
                              "%9223372036854775807\r\n", "~9223372036854775807\r\n"}) {
        CHECK_MESSAGE(has(error_of(frame), "can hold"), frame);
    }
    CHECK(has(error_of("*9223372036854775808\r\n"), "not a number"));  // past long long
}

TEST_CASE("negative lengths other than -1 are errors; -1 is a null") {
    CHECK(has(error_of("$-2\r\n"), "negative"));
    CHECK(has(error_of("*-9223372036854775808\r\n"), "negative"));
    CHECK(has(error_of("%-5\r\n"), "negative"));
    Frame f;
    CHECK(parse_frame("*-1\r\n", f) == 5);
    CHECK(f.type == Frame::Type::null);
}

TEST_CASE("nesting is bounded") {
    std::string deep;
    for (int i = 0; i < FrameParser::max_depth; ++i) deep += "*1\r\n";
    Frame f;
    CHECK(parse_frame(deep + ":1\r\n", f) == deep.size() + 4);
    CHECK(has(error_of(deep + "*1\r\n"), "nested deeper than 16"));
}

TEST_CASE("header lines without CRLF are bounded") {
    CHECK(has(error_of("$" + std::string(40, '9')), "longer than 32 bytes"));
    CHECK(has(error_of("+" + std::string(FrameParser::max_line + 1, 'a')),
              "longer than 65536 bytes"));
    CHECK(error_of("+" + std::string(FrameParser::max_line, 'a')).empty());  // incomplete
    CHECK(has(error_of("$3\rX\n"), "CR without LF"));
}

TEST_CASE("bytes that are not RESP name the server, the byte and what was wrong") {
    const std::string e = error_of("*1\r\n?\r\n");
    CHECK(has(e, "protocol error from test:1 at byte 4"));
    CHECK(has(e, "unknown type byte 0x3F"));
    CHECK(has(error_of(std::string("\x1b[2J", 4)), "0x1B"));
    CHECK(has(error_of("$3\r\nabcXY"), "does not end where its length says"));
    CHECK(has(error_of("*2\r\n*1\r\n$1\r\nxYZ"), "at byte 13"));  // a skipped bulk
}

TEST_CASE("a long skipped payload needs no room: dropping it keeps the frame right") {
    // A nested bulk of 1 MB handed over 4 KiB at a time, dropped as it goes.
    const std::string big(1 << 20, 'z');
    const std::string frame = "*4\r\n$7\r\nmessage\r\n$1\r\nc\r\n*1\r\n$" +
                              std::to_string(big.size()) + "\r\n" + big + "\r\n$1\r\np\r\n";
    FrameParser parser;
    std::string buffer;
    Frame f;
    size_t most = 0;
    size_t used = 0;
    for (size_t at = 0; at < frame.size() && used == 0; at += 4096) {
        buffer.append(frame, at, 4096);
        used = parser.parse(buffer, f);
        if (used == 0 && parser.parsed() > parser.kept()) {
            buffer.erase(parser.kept(), parser.parsed() - parser.kept());
            parser.dropped();
        }
        most = std::max(most, buffer.size());
    }
    REQUIRE(used > 0);
    CHECK(most < 3 * 4096);
    CHECK(f.count == 4);
    CHECK(f.items[1] == "c");
    CHECK(f.items[3] == "p");
}

TEST_CASE("decode_pubsub: a subscription count that does not fit is -1, not an overflow") {
    Frame f;
    const std::string frame = "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:99999999999999999999999\r\n";
    REQUIRE(parse_frame(frame, f) == frame.size());
    const PubSubEvent e = decode_pubsub(f);
    CHECK(e.kind == PubSubEvent::Kind::subscribed);
    CHECK(e.count == -1);
}

TEST_CASE("decode_pubsub: a message whose channel or payload is not a string is not one") {
    Frame f;
    for (std::string frame : {"*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n*1\r\n:1\r\n",
                              "*3\r\n$7\r\nmessage\r\n$-1\r\n$1\r\np\r\n",
                              ">4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$1\r\nc\r\n%0\r\n",
                              "*3\r\n*0\r\n$1\r\nc\r\n$1\r\np\r\n"}) {
        REQUIRE(parse_frame(frame, f) == frame.size());
        CHECK_MESSAGE(decode_pubsub(f).kind == PubSubEvent::Kind::other, frame);
    }
    const std::string integer = "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n:7\r\n";
    REQUIRE(parse_frame(integer, f) == integer.size());
    CHECK(decode_pubsub(f).payload == "7");
}

// ---- replies (the command connection's policy: hiredis keeps every byte)

namespace {

// Frames a stream of replies the way the command connection does: each call has the
// frame in progress from its first byte, nothing dropped. Returns the frames' sizes.
std::vector<size_t> reply_sizes(FrameParser& parser, const std::string& stream, size_t step) {
    std::vector<size_t> sizes;
    size_t start = 0;
    Frame f;
    for (size_t end = std::min(step, stream.size());; end = std::min(end + step, stream.size())) {
        while (size_t n = parser.parse(std::string_view(stream).substr(start, end - start), f)) {
            sizes.push_back(n);
            start += n;
        }
        if (end == stream.size()) return sizes;
    }
}

}  // namespace

TEST_CASE("replies of every RESP2 and RESP3 type end where they end, however they are split") {
    const std::string replies =
        "+PONG\r\n-ERR no\r\n:42\r\n$5\r\nhe\r\no\r\n$-1\r\n$0\r\n\r\n*-1\r\n*0\r\n"
        "*2\r\n$1\r\na\r\n*1\r\n:1\r\n%1\r\n+proto\r\n:3\r\n~2\r\n_\r\n#t\r\n"
        ",1.5\r\n(123\r\n=8\r\ntxt:abcd\r\n>2\r\n+a\r\n+b\r\n";
    const std::vector<size_t> expected = {7, 9, 5, 11, 5, 6, 5, 4, 19, 16, 11, 6, 6, 14, 12};
    for (size_t step : {replies.size(), size_t{1}, size_t{2}, size_t{5}}) {
        FrameParser parser(1024, "test:1", FrameParser::Attributes::refuse);
        CHECK_MESSAGE(reply_sizes(parser, replies, step) == expected, "step " << step);
        CHECK_FALSE(parser.started());
    }
}

TEST_CASE("a reply counts only when its last byte came") {
    FrameParser parser(1024, "test:1", FrameParser::Attributes::refuse);
    Frame f;
    CHECK(parser.parse("*2\r\n$3\r\nab", f) == 0);
    CHECK(parser.started());
    CHECK(parser.parse("*2\r\n$3\r\nabc\r\n:1", f) == 0);
    CHECK(parser.parse("*2\r\n$3\r\nabc\r\n:1\r\n+OK\r", f) == 17);
    CHECK(parser.parse("+OK\r", f) == 0);
    CHECK(parser.parse("+OK\r\n", f) == 5);
}

TEST_CASE("attributes are refused at once where replies are read, skipped in pushes") {
    Frame f;
    FrameParser refusing(1024, "test:1", FrameParser::Attributes::refuse);
    try {
        refusing.parse("*2\r\n|1\r\n", f);
        FAIL("no error");
    } catch (const amr::Error& e) {
        CHECK(has(e.what(), "protocol error from test:1 at byte 4 of a reply: a RESP3 attribute"));
    }
    FrameParser skipping(1024, "test:1");
    const std::string frame = "|1\r\n+key\r\n+value\r\n:1\r\n";
    CHECK(skipping.parse(frame, f) == frame.size());
    CHECK(f.type == Frame::Type::integer);
}

TEST_CASE("strings up to --proto-max-bulk-len are taken, nested or not") {
    FrameParser parser(4, "test:1", FrameParser::Attributes::refuse);
    Frame f;
    CHECK(parser.parse("$4\r\nabcd\r\n", f) == 10);
    CHECK(parser.parse("*1\r\n*1\r\n$4\r\nabcd\r\n", f) == 18);
}
