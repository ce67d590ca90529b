#include <doctest/doctest.h>

#include "util/suggest.hpp"

using amr::util::closest;
using amr::util::edit_distance;

TEST_CASE("edit_distance counts insertions, deletions, substitutions and swaps") {
    CHECK(edit_distance("publish", "publish") == 0);
    CHECK(edit_distance("pubish", "publish") == 1);
    CHECK(edit_distance("subcsribe", "subscribe") == 1);
    CHECK(edit_distance("--formt", "--format") == 1);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("closest suggests near candidates and nothing for unrelated words") {
    const std::vector<std::string> commands = {"publish",    "broadcast", "subscribe", "psubscribe",
                                               "ssubscribe", "channels",  "ping"};
    CHECK(closest("pubish", commands) == "publish");
    CHECK(closest("subcribe", commands) == "subscribe");
    CHECK(closest("chanels", commands) == "channels");
    CHECK(closest("pign", commands) == "ping");
    CHECK_FALSE(closest("deploy", commands));
    CHECK_FALSE(closest("x", commands));
}
