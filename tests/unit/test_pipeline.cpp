#include <doctest/doctest.h>
#include <hiredis.h>

#include <cstring>
#include <string>
#include <vector>

#include "error.hpp"
#include "publish/pipeline.hpp"
#include "publish/pipeline_reply.hpp"

using amr::publish::append_publish;
using amr::publish::publish_prefix;

namespace {

// What hiredis itself sends for PUBLISH channel payload.
std::string hiredis_publish(const std::string& channel, const std::string& payload) {
    const char* argv[] = {"PUBLISH", channel.data(), payload.data()};
    const size_t lengths[] = {7, channel.size(), payload.size()};
    char* cmd = nullptr;
    const long long n = redisFormatCommandArgv(&cmd, 3, argv, lengths);
    std::string out(cmd, static_cast<size_t>(n));
    redisFreeCommand(cmd);
    return out;
}

}  // namespace

TEST_CASE("publish_prefix is RESP for PUBLISH and the channel, up to the payload's length") {
    CHECK(publish_prefix("ch") == "*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$");
    CHECK(publish_prefix("") == "*3\r\n$7\r\nPUBLISH\r\n$0\r\n\r\n$");
}

TEST_CASE("append_publish writes the same bytes as hiredis's formatter") {
    for (const std::string& channel :
         std::vector<std::string>{"orders:created", "", "a\r\nb", std::string("\0x", 2)}) {
        for (const std::string& payload : std::vector<std::string>{
                 "{\"event\":\"order_created\"}", "", "line\r\nbreak", std::string(100000, 'p')}) {
            std::string out = "before";
            append_publish(out, publish_prefix(channel), payload);
            CHECK(out == "before" + hiredis_publish(channel, payload));
        }
    }
}

TEST_CASE("append_publish appends one command after another") {
    std::string out;
    const std::string prefix = publish_prefix("c");
    append_publish(out, prefix, "1");
    append_publish(out, prefix, "22");
    CHECK(out == hiredis_publish("c", "1") + hiredis_publish("c", "22"));
}

namespace {

// A hiredis reply of `type` with `text` or `integer`.
redisReply reply_of(int type, const char* text = "", long long integer = 0) {
    redisReply r{};
    r.type = type;
    r.str = const_cast<char*>(text);
    r.len = std::strlen(text);
    r.integer = integer;
    return r;
}

std::string fault_of(const redisReply& r, amr::publish::Pipelined sent) {
    try {
        amr::publish::read_pipelined_reply(&r, sent, "SPUBLISH", 7, "h:1");
    } catch (const amr::Error& e) {
        CHECK(e.kind() == amr::ErrorKind::connection);
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("read_pipelined_reply: counts, refusals, and what no command gets") {
    using amr::publish::Pipelined;
    using amr::publish::read_pipelined_reply;
    const auto count = reply_of(REDIS_REPLY_INTEGER, "", 3);
    CHECK(read_pipelined_reply(&count, Pipelined::message, "PUBLISH", 1, "h:1").receivers == 3);
    const auto error = reply_of(REDIS_REPLY_ERROR, "MOVED 1 h:2");
    CHECK(read_pipelined_reply(&error, Pipelined::message, "PUBLISH", 1, "h:1").refused);
    CHECK(read_pipelined_reply(&error, Pipelined::auth, "PUBLISH", 1, "h:1").refused);
    const auto pong = reply_of(REDIS_REPLY_STATUS, "PONG");
    CHECK_FALSE(read_pipelined_reply(&pong, Pipelined::ping, "PUBLISH", 1, "h:1").refused);
    const auto ok = reply_of(REDIS_REPLY_STATUS, "OK");
    CHECK_FALSE(read_pipelined_reply(&ok, Pipelined::auth, "PUBLISH", 1, "h:1").refused);

    CHECK(fault_of(reply_of(REDIS_REPLY_INTEGER, "", -1), Pipelined::message) ==
          "protocol error from h:1: the reply to SPUBLISH (line 7) was a negative integer (-1)");
    CHECK(fault_of(pong, Pipelined::message) ==
          "protocol error from h:1: the reply to SPUBLISH (line 7) was a simple string, not an "
          "integer");
    CHECK(fault_of(ok, Pipelined::ping) ==
          "protocol error from h:1: the reply to PING was a simple string, not PONG or OK");
    CHECK(fault_of(count, Pipelined::auth) ==
          "protocol error from h:1: the reply to AUTH was an integer, not PONG or OK");
}
