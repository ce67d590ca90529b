#include <doctest/doctest.h>

#include <string>

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
