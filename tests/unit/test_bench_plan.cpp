#include <doctest/doctest.h>

#include <set>

#include "bench/plan.hpp"
#include "redis/cluster.hpp"

using namespace amr::bench;

TEST_CASE("bench plan: channel names, and hash tags that reach every shard") {
    CHECK(channel_names("bench", 3) == std::vector<std::string>{"bench:0", "bench:1", "bench:2"});
    // Three shards of a cluster, as CLUSTER SLOTS gives them.
    auto shard_of = [](uint16_t slot) -> size_t {
        return slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2;
    };
    const auto names = channel_names("b", 6, 3, shard_of);
    REQUIRE(names.size() == 6);
    for (size_t i = 0; i < names.size(); ++i) {
        CAPTURE(names[i]);
        CHECK(names[i].rfind("b:" + std::to_string(i) + "{", 0) == 0);
        CHECK(shard_of(amr::redis::key_slot(names[i])) == i % 3);
    }
}

TEST_CASE("bench plan: subscribers' channels") {
    auto all = assign_channels(2, 3, 0);
    CHECK(all[0] == std::vector<uint32_t>{0, 1, 2});
    CHECK(all[1] == std::vector<uint32_t>{0, 1, 2});
    auto one_each = assign_channels(4, 2, 1);
    CHECK(one_each[0] == std::vector<uint32_t>{0});
    CHECK(one_each[1] == std::vector<uint32_t>{1});
    CHECK(one_each[2].empty());
    auto two_each = assign_channels(3, 3, 2);  // each channel taken by 2 subscribers
    size_t total = 0;
    for (auto& l : two_each) total += l.size();
    CHECK(total == 6);
    CHECK(two_each[0] == std::vector<uint32_t>{0, 1});
}

TEST_CASE("bench plan: shares and round robin add up") {
    uint64_t sum = 0;
    for (uint32_t p = 0; p < 7; ++p) sum += share_of(100, 7, p);
    CHECK(sum == 100);
    CHECK(share_of(100, 7, 0) == 15);
    CHECK(share_of(100, 7, 6) == 14);
    CHECK(sent_on(10, 0, 3) == 4);
    CHECK(sent_on(10, 1, 3) == 3);
    CHECK(sent_on(10, 2, 3) == 3);
    CHECK(literal_pattern("a*b?[c]\\") == "a\\*b\\?\\[c\\]\\\\");
}
