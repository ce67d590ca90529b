#include "redis/traffic.hpp"

#include <doctest/doctest.h>

using amr::redis::Traffic;
using namespace std::chrono_literals;

TEST_CASE("Traffic counts the bytes of the last second and forgets old ones") {
    Traffic t;
    const auto t0 = Traffic::Clock::time_point{} + 100s;
    CHECK(t.per_second(t0) == 0);
    t.add(1000, t0);
    t.add(500, t0 + 300ms);
    CHECK(t.per_second(t0 + 500ms) == 3000);  // 1500 bytes in half a second
    // A new window: the last whole second still counts while the new one has less.
    t.add(10, t0 + 1100ms);
    CHECK(t.per_second(t0 + 1200ms) == 1500);
    t.add(5000, t0 + 1500ms);
    CHECK(t.per_second(t0 + 1600ms) == 10020);
    // Silence: after a whole second without bytes nothing is left.
    CHECK(t.per_second(t0 + 2500ms) == 5010);
    CHECK(t.per_second(t0 + 3200ms) == 0);
    // Bytes after a long silence do not inherit the old window.
    t.add(7, t0 + 10s);
    t.add(1, t0 + 11100ms);
    CHECK(t.per_second(t0 + 11200ms) == 10);  // 1 byte in 100 ms, more than the 7
    t.add(3, t0 + 13s);
    CHECK(t.per_second(t0 + 13100ms) == 30);
}

TEST_CASE("Traffic: a flood shorter than a second counts at its rate") {
    // The server closes a subscriber it cannot write to fast enough within a fraction
    // of a second; what came until then tells the rate.
    Traffic t;
    const auto t0 = Traffic::Clock::time_point{} + 100s;
    t.add(1 << 20, t0);
    t.add(5 << 20, t0 + 300ms);
    CHECK(t.per_second(t0 + 300ms) == (6u << 20) * 10 / 3);
    // Too soon to tell a rate (under 20 ms): the bytes themselves.
    Traffic u;
    u.add(4096, t0);
    CHECK(u.per_second(t0 + 10ms) == 4096);
}
