#include "redis/cluster_view.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include "redis/pollable.hpp"

using amr::redis::ClusterView;
using amr::redis::NodeAddress;
using amr::redis::poll_timeout_ms;
using amr::redis::PollSet;
using Clock = amr::redis::Pollable::Clock;
using namespace std::chrono_literals;

TEST_CASE("ClusterView without a topology: every name lives on the seed") {
    amr::config::Settings seed;
    seed.host = "seed.example";
    seed.port = 6380;
    seed.password = "secret";
    ClusterView view(seed);
    CHECK_FALSE(view.is_cluster());
    CHECK(view.seed_node() == NodeAddress{"seed.example", 6380});
    CHECK(view.slot_of("{user1}:orders") == 0);
    CHECK(view.node_for(view.slot_of("anything")) == NodeAddress{"seed.example", 6380});
    const auto s = view.settings_for(NodeAddress{"other", 7000});
    CHECK(s.host == "seed.example");  // no cluster: the seed's own settings
    CHECK(s.port == 6380);
    CHECK(view.known_nodes().empty());
}

TEST_CASE("ClusterView::note_redirect parses MOVED and ASK, and passes other errors by") {
    amr::config::Settings seed;
    seed.host = "seed.example";
    ClusterView view(seed);
    auto r = view.note_redirect("MOVED 3999 10.0.0.2:7001", "10.0.0.1:7000");
    REQUIRE(r);
    CHECK(r->slot == 3999);
    CHECK(r->target == NodeAddress{"10.0.0.2", 7001});
    r = view.note_redirect("ASK 1 :7002", "10.0.0.1:7000");
    REQUIRE(r);
    CHECK(r->ask);
    CHECK(r->target == NodeAddress{"seed.example", 7002});  // no host: the seed's
    CHECK_FALSE(view.note_redirect("CLUSTERDOWN The cluster is down", "10.0.0.1:7000"));
    CHECK_THROWS_AS(view.note_redirect("MOVED 99999 10.0.0.2:7001", "10.0.0.1:7000"), amr::Error);
}

TEST_CASE("poll_timeout_ms: never waits forever, a past time not at all, else rounds up") {
    CHECK(poll_timeout_ms(Clock::time_point::max()) == -1);
    CHECK(poll_timeout_ms(Clock::now() - 1s) == 0);
    const int ms = poll_timeout_ms(Clock::now() + 1500us);
    CHECK(ms >= 1);
    CHECK(ms <= 2);
}

TEST_CASE("PollSet: waits for a readable fd or the timer, and skips negative fds") {
    int p[2];
    REQUIRE(pipe(p) == 0);
    PollSet set;
    const size_t skipped = set.add(-1, POLLIN);
    const size_t pipe_end = set.add(p[0], POLLIN);
    CHECK(set.size() == 2);
    CHECK(set.wait(Clock::now() + 10ms, false) == 0);  // the timer
    CHECK_FALSE(set.readable(pipe_end));
    REQUIRE(write(p[1], "x", 1) == 1);
    CHECK(set.wait(Clock::time_point::max(), false) == 1);
    CHECK(set.readable(pipe_end));
    CHECK(set.revents(skipped) == 0);
    close(p[1]);
    set.clear();
    set.add(p[0], POLLIN);
    CHECK(set.wait(Clock::time_point::max(), true) >= 0);  // ready_now: does not wait
    close(p[0]);
}
