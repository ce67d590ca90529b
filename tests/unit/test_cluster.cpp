#include <doctest/doctest.h>

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
    const auto nodes = parse_cluster_nodes(text, "seed.example");
    REQUIRE(nodes.size() == 3);
    CHECK(nodes[0] == NodeAddress{"127.0.0.1", 30001});
    CHECK(nodes[1] == NodeAddress{"127.0.0.1", 30002});
    CHECK(nodes[2] == NodeAddress{"seed.example", 30006});  // no address: the seed's host
}

TEST_CASE("parse_cluster_nodes skips lines too short to hold flags") {
    CHECK(parse_cluster_nodes("", "h").empty());
    CHECK(parse_cluster_nodes("07c3 127.0.0.1:1@2\n\n", "h").empty());
}

TEST_CASE("parse_redirect reads MOVED and ASK") {
    auto moved = parse_redirect("MOVED 3999 127.0.0.1:6381", "seed");
    REQUIRE(moved);
    CHECK_FALSE(moved->ask);
    CHECK(moved->slot == 3999);
    CHECK(moved->target == NodeAddress{"127.0.0.1", 6381});

    auto ask = parse_redirect("ASK 12 :7000", "seed");
    REQUIRE(ask);
    CHECK(ask->ask);
    CHECK(ask->target == NodeAddress{"seed", 7000});

    CHECK_FALSE(parse_redirect("ERR unknown command", "seed"));
    CHECK_FALSE(parse_redirect("MOVED 3999", "seed"));
}

TEST_CASE("parse_cluster_nodes and parse_redirect take no port or slot out of range") {
    // 99999999999 once became 1215752191 (a truncated port); now the node is left out.
    CHECK(parse_cluster_nodes("a 127.0.0.1:99999999999@1 master - 0 0 1 connected\n"
                              "b 127.0.0.1:70000@1 master - 0 0 1 connected\n"
                              "c 127.0.0.1:7x@1 master - 0 0 1 connected\n",
                              "h")
              .empty());
    CHECK_FALSE(parse_redirect("MOVED 3999 127.0.0.1:99999999999", "seed"));
    CHECK_FALSE(parse_redirect("MOVED 3999 127.0.0.1:0", "seed"));
    CHECK_FALSE(parse_redirect("MOVED 16384 127.0.0.1:7000", "seed"));
    CHECK_FALSE(parse_redirect("ASK -1 127.0.0.1:7000", "seed"));
    CHECK(parse_redirect("ASK 16383 127.0.0.1:65535", "seed"));
}
