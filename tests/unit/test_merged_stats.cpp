#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "publish/merged_stats.hpp"

using amr::publish::merge_stats;
using amr::publish::MergedStats;
using amr::publish::Pipeline;
using amr::publish::PipelineStats;

namespace {

PipelineStats stats_of(const std::vector<std::string>& channels, uint64_t per_channel) {
    PipelineStats s;
    s.channel_messages.assign(channels.size(), per_channel);
    s.channel_receivers.assign(channels.size(), static_cast<long long>(per_channel * 2));
    s.confirmed = per_channel * channels.size();
    s.receivers = static_cast<long long>(s.confirmed * 2);
    return s;
}

}  // namespace

TEST_CASE("merge_stats sums the parts by channel name, first come first") {
    const std::vector<std::string> a{"orders", "shard:{1}"};
    const std::vector<std::string> b{"shard:{2}", "orders"};
    PipelineStats sa = stats_of(a, 3);
    PipelineStats sb = stats_of(b, 5);
    sa.below_min = 2;
    sa.first_below_min_line = 40;
    sb.below_min = 1;
    sb.first_below_min_line = 7;
    sb.reconnects = 1;
    sb.resent = 9;
    const MergedStats m = merge_stats({{&a, &sa}, {&b, &sb}});
    CHECK(m.channels == std::vector<std::string>{"orders", "shard:{1}", "shard:{2}"});
    CHECK(m.stats.channel_messages == std::vector<uint64_t>{8, 3, 5});
    CHECK(m.stats.channel_receivers == std::vector<long long>{16, 6, 10});
    CHECK(m.stats.confirmed == 16);
    CHECK(m.stats.receivers == 32);
    CHECK(m.stats.below_min == 3);
    CHECK(m.stats.first_below_min_line == 7);
    CHECK(m.stats.reconnects == 1);
    CHECK(m.stats.resent == 9);
}

TEST_CASE("merge_stats of one part is that part") {
    const std::vector<std::string> a{"x"};
    const PipelineStats sa = stats_of(a, 4);
    const MergedStats m = merge_stats({{&a, &sa}});
    CHECK(m.channels == a);
    CHECK(m.stats.confirmed == 4);
}

TEST_CASE("merge_stats names at most max_tracked_channels, the rest count as other channels") {
    // Two parts each at the limit, half their names shared: the union is 1.5 times the
    // limit, so a third of it goes under "(other channels)", with the parts' own others.
    const size_t limit = Pipeline::max_tracked_channels;
    std::vector<std::string> a, b;
    for (size_t i = 0; i < limit; ++i) a.push_back("a" + std::to_string(i));
    for (size_t i = 0; i < limit; ++i) b.push_back(i < limit / 2 ? a[i] : "b" + std::to_string(i));
    a.emplace_back(Pipeline::other_channels);
    b.emplace_back(Pipeline::other_channels);
    const PipelineStats sa = stats_of(a, 1);
    const PipelineStats sb = stats_of(b, 1);
    const MergedStats m = merge_stats({{&a, &sa}, {&b, &sb}});
    REQUIRE(m.channels.size() == limit + 1);
    CHECK(m.channels[limit] == Pipeline::other_channels);
    CHECK(m.channels[0] == "a0");
    CHECK(m.stats.channel_messages[0] == 2);                      // in both parts
    CHECK(m.stats.channel_messages[limit - 1] == 1);              // a's last
    CHECK(m.stats.channel_messages[limit] == 1 + 1 + limit / 2);  // both others, b's new names
    uint64_t sum = 0;
    for (uint64_t n : m.stats.channel_messages) sum += n;
    CHECK(sum == 2 * (limit + 1));  // nothing lost
}
