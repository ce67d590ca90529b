#include <doctest/doctest.h>
#include <hiredis.h>

#include <string>
#include <vector>

#include "publish/pipeline.hpp"

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
