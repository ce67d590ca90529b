#include <doctest/doctest.h>

#include <hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "redis/cluster.hpp"

using amr::redis::key_slot;
using amr::redis::NodeAddress;
using amr::redis::parse_cluster_nodes;
using amr::redis::parse_redirect;

TEST_CASE("key_slot: CRC16 of the key, or of its hash tag") {
    CHECK(key_slot("foo") == 12182);  // CLUSTER KEYSLOT foo
    CHECK(key_slot("{user1000}.following") == key_slot("user1000"));
    CHECK(key_slot("a{}b") == 13694);  // CLUSTER KEYSLOT a{}b: an empty tag is no tag
}

TEST_CASE("parse_cluster_nodes keeps suspected nodes and leaves out failed ones") {
    const std::string text =
        "07c3 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460\n"
        "67ed 127.0.0.1:30002@31002 master,fail? - 1 1 2 connected 5461-10922\n"
        "292f 127.0.0.1:30003@31003 master,fail - 1 1 3 connected\n"
        "e7d1 127.0.0.1:30004@31004 slave,noaddr 07c3 0 1 1 connected\n"
        "824f 127.0.0.1:30005@31005 handshake - 0 0 0 connected\n"
        "6ec2 :30006@31006,node6.example slave 67ed 0 1 2 connected\n"
        "07c3 127.0.0.1:30001@31001 master - 0 0 1 connected\n";
    const auto nodes = parse_cluster_nodes(text, "seed.example", "node:1");
    REQUIRE(nodes.size() == 3);
    CHECK(nodes[0] == NodeAddress{"127.0.0.1", 30001});
    CHECK(nodes[1] == NodeAddress{"127.0.0.1", 30002});
    CHECK(nodes[2] == NodeAddress{"seed.example", 30006});  // no address: the seed's host
}

TEST_CASE("parse_cluster_nodes skips lines too short to hold flags") {
    CHECK(parse_cluster_nodes("", "h", "node:1").empty());
    CHECK(parse_cluster_nodes("07c3 127.0.0.1:1@2\n\n", "h", "node:1").empty());
}

TEST_CASE("parse_redirect reads MOVED and ASK") {
    auto moved = parse_redirect("MOVED 3999 127.0.0.1:6381", "seed", "node:1");
    REQUIRE(moved);
    CHECK_FALSE(moved->ask);
    CHECK(moved->slot == 3999);
    CHECK(moved->target == NodeAddress{"127.0.0.1", 6381});

    auto ask = parse_redirect("ASK 12 :7000", "seed", "node:1");
    REQUIRE(ask);
    CHECK(ask->ask);
    CHECK(ask->target == NodeAddress{"seed", 7000});

    CHECK_FALSE(parse_redirect("ERR unknown command", "seed", "node:1"));
    CHECK_FALSE(parse_redirect("MOVEDX 3999 h:1", "seed", "node:1"));
}

namespace {

// The message of the connection Error (exit 3) that `f` throws.
template <typename F>
std::string protocol_error_of(F f) {
    try {
        f();
    } catch (const amr::Error& e) {
        CHECK(e.kind() == amr::ErrorKind::connection);
        return e.what();
    }
    FAIL("no error");
    return {};
}

std::string redirect_error(std::string_view text) {
    return protocol_error_of([&] { parse_redirect(text, "seed", "node:1"); });
}

std::string nodes_error(std::string_view text) {
    return protocol_error_of([&] { parse_cluster_nodes(text, "seed", "node:1"); });
}

}  // namespace

// tests/fuzz/corpus/cluster/moved-slot-out-of-range, ask-port-negative: a lying server's
// redirect was left unread (main) or read with slot 34463 and port -5 (before).
TEST_CASE("parse_redirect: a slot or port out of range is a protocol error naming it") {
    CHECK(redirect_error("MOVED 99999 127.0.0.1:6381") ==
          "protocol error from node:1: MOVED redirect gave slot '99999', not a slot from 0 to "
          "16383");
    CHECK(redirect_error("ASK 1 host:-5") ==
          "protocol error from node:1: ASK redirect gave 'host:-5', not a host:port with a port "
          "from 1 to 65535");
    CHECK(redirect_error("MOVED 16384 127.0.0.1:7000").find("slot '16384'") != std::string::npos);
    CHECK(redirect_error("ASK -1 127.0.0.1:7000").find("slot '-1'") != std::string::npos);
    CHECK(redirect_error("MOVED 3999 127.0.0.1:99999999999").find("'127.0.0.1:99999999999'") !=
          std::string::npos);
    CHECK(redirect_error("MOVED 3999 127.0.0.1:0").find("'127.0.0.1:0'") != std::string::npos);
    CHECK(redirect_error("MOVED 3999").find("MOVED redirect gave ''") != std::string::npos);
    CHECK(redirect_error("MOVED 3999 host").find("'host'") != std::string::npos);
    CHECK(parse_redirect("ASK 16383 127.0.0.1:65535", "seed", "node:1"));
}

// tests/fuzz/corpus/cluster/nodes-port-not-a-number: the node was once read with port 0.
TEST_CASE("parse_cluster_nodes: a node address without a port in range is a protocol error") {
    CHECK(nodes_error("id host:abc@1 master - 0 0 1 connected\n") ==
          "protocol error from node:1: CLUSTER NODES line 1 gave a node address without a port "
          "from 1 to 65535: 'host:abc@1'");
    CHECK(nodes_error("a 127.0.0.1:1@1 master - 0 0 1 connected\n"
                      "b 127.0.0.1:99999999999@1 master - 0 0 1 connected\n")
              .find("line 2") != std::string::npos);
    CHECK(
        nodes_error("b 127.0.0.1:70000@1 master - 0 0 1 connected\n").find("'127.0.0.1:70000@1'") !=
        std::string::npos);
    CHECK(nodes_error("c 127.0.0.1:7x@1 master - 0 0 1 connected\n").find("'127.0.0.1:7x@1'") !=
          std::string::npos);
    CHECK(nodes_error("c 127.0.0.1@1 master - 0 0 1 connected\n").find("'127.0.0.1@1'") !=
          std::string::npos);
    // A node without an address is flagged noaddr and left out, not refused.
    CHECK(parse_cluster_nodes("e :0@0 slave,noaddr 07c3 0 1 1 connected\n", "h", "node:1").empty());
}

namespace {

// The reply hiredis reads from `resp`.
std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply_from(std::string_view resp) {
    redisReader* reader = redisReaderCreate();
    REQUIRE(redisReaderFeed(reader, resp.data(), resp.size()) == REDIS_OK);
    void* raw = nullptr;
    REQUIRE(redisReaderGetReply(reader, &raw) == REDIS_OK);
    redisReaderFree(reader);
    REQUIRE(raw != nullptr);
    return {static_cast<redisReply*>(raw), freeReplyObject};
}

}  // namespace

TEST_CASE("topology_from_reply reads CLUSTER SLOTS; an error is no cluster, a bad slot a fault") {
    using amr::redis::topology_from_reply;
    const auto good = reply_from(
        "*2\r\n*4\r\n:0\r\n:8191\r\n*3\r\n$9\r\n127.0.0.1\r\n:30001\r\n$2\r\nid\r\n"
        "*2\r\n$0\r\n\r\n:30004\r\n*3\r\n:8192\r\n:16383\r\n*2\r\n$1\r\n?\r\n:30002\r\n");
    const auto topology = topology_from_reply(good.get(), "seed", "node:1");
    REQUIRE(topology);
    REQUIRE(topology->ranges.size() == 2);
    CHECK(topology->primary_for(0) == NodeAddress{"127.0.0.1", 30001});
    CHECK(topology->ranges[0].replicas == std::vector<NodeAddress>{{"seed", 30004}});
    CHECK(topology->primary_for(16383) == NodeAddress{"seed", 30002});
    CHECK_FALSE(
        topology_from_reply(reply_from("-ERR cluster support disabled\r\n").get(), "s", "n:1"));
    CHECK_FALSE(topology_from_reply(reply_from("*0\r\n").get(), "s", "n:1"));
    CHECK(protocol_error_of([] {
              topology_from_reply(
                  reply_from("*1\r\n*3\r\n:0\r\n:16384\r\n*2\r\n$1\r\nh\r\n:1\r\n").get(), "s",
                  "n:1");
          }) == "protocol error from n:1: CLUSTER SLOTS gave slot 16384, out of range");
}
