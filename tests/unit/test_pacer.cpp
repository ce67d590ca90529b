#include <doctest/doctest.h>

#include <chrono>

#include "publish/pacer.hpp"

using amr::publish::Pacer;
using namespace std::chrono_literals;

namespace {
const Pacer::Clock::time_point t0 = Pacer::Clock::time_point(1000s);
}

TEST_CASE("pacer: message i is due at start + i * period") {
    Pacer p(250ms);
    p.start(t0);
    CHECK(p.planned(0) == t0);
    CHECK(p.planned(4) == t0 + 1s);
    CHECK(p.due(t0 - 1ns, 100) == 0);
    CHECK(p.due(t0, 100) == 1);
    CHECK(p.due(t0 + 249ms, 100) == 1);
    CHECK(p.due(t0 + 250ms, 100) == 2);
    CHECK(p.due(t0 + 10s, 100) == 41);
    CHECK(p.due(t0 + 10s, 7) == 7);
    CHECK(*p.wake_at(3) == t0 + 750ms);
}

TEST_CASE("pacer: a late send does not move the schedule (no drift)") {
    Pacer p = Pacer::per_second(100);
    p.start(t0);
    // Message 0 went out 35 ms late; 1 to 3 were due meanwhile and go at once, and 4 is
    // still planned at 40 ms, not 35 + 10 ms.
    CHECK(p.due(t0 + 35ms, 1000) == 4);
    CHECK(p.planned(4) == t0 + 40ms);
    // A million messages at 100/s end at 10000 s exactly, not a rounding error later.
    CHECK(p.planned(1000000) == t0 + 10000s);
}

TEST_CASE("pacer: fractional rates and the unpaced case") {
    CHECK(Pacer::per_second(2.5).period() == 400ms);
    CHECK(Pacer::per_second(3).period() == 333333333ns);
    Pacer fast(0ns);
    fast.start(t0);
    CHECK_FALSE(fast.paced());
    CHECK(fast.due(t0, 12345) == 12345);
    CHECK_FALSE(fast.wake_at(5).has_value());
}

TEST_CASE("pacer: a far index is clamped, not wrapped") {
    Pacer p(1s);
    p.start(t0);
    CHECK(p.planned(UINT64_MAX) > p.planned(1000000));
}
