#include <doctest/doctest.h>

#include <random>

#include "bench/sequence.hpp"

using namespace amr::bench;

TEST_CASE("sequence: in order, nothing missing") {
    StreamTracker t;
    for (uint64_t i = 0; i < 1000; ++i) CHECK(t.receive(i) == Arrival::in_order);
    CHECK(t.unique() == 1000);
    CHECK(t.missing() == 0);
    CHECK(t.lost(1000) == 0);
    CHECK(t.lost(1010) == 10);  // the last 10 never came
}

TEST_CASE("sequence: gaps are missing, late arrivals fill them (reorders)") {
    StreamTracker t;
    t.receive(0);
    CHECK(t.receive(5) == Arrival::ahead);
    CHECK(t.missing() == 4);
    CHECK(t.receive(3) == Arrival::late);
    CHECK(t.missing() == 3);
    CHECK(t.receive(3) == Arrival::duplicate);
    CHECK(t.receive(5) == Arrival::duplicate);
    CHECK(t.receive(0) == Arrival::duplicate);
    CHECK(t.receive(6) == Arrival::in_order);
    CHECK(t.unique() == 4);
    CHECK(t.lost(7) == 3);
}

TEST_CASE("sequence: duplicates without any gap") {
    StreamTracker t;
    for (uint64_t i = 0; i < 10; ++i) t.receive(i);
    CHECK(t.receive(4) == Arrival::duplicate);
    CHECK(t.unique() == 10);
}

TEST_CASE("sequence: a jump past the window, and numbers older than it") {
    StreamTracker t;
    t.receive(0);
    CHECK(t.receive(1'000'000) == Arrival::ahead);
    CHECK(t.missing() == 999'999);
    CHECK(t.receive(999'999) == Arrival::late);
    // Older than the window: a duplicate and a late message cannot be told apart.
    CHECK(t.receive(10) == Arrival::duplicate);
    CHECK(t.receive(UINT64_MAX) == Arrival::duplicate);
    CHECK(t.receive(UINT64_MAX - 1) == Arrival::ahead);
    CHECK(t.next() == UINT64_MAX);
}

TEST_CASE("sequence: hostile numbers keep memory bounded and counts consistent") {
    SequenceTracker tracker;
    std::mt19937_64 rng(1);
    for (int i = 0; i < 200'000; ++i) {
        const auto pub = static_cast<uint32_t>(rng() % 4);
        const auto chan = static_cast<uint32_t>(rng() % 3);
        const uint64_t seq = (rng() % 2) ? rng() % 10'000 : rng();
        tracker.receive(pub, chan, seq);
    }
    const SequenceCounts& c = tracker.counts();
    CHECK(c.received == 200'000);
    CHECK(tracker.unique() + c.duplicates == c.received);
    CHECK(tracker.stream(5, 0) == nullptr);
    REQUIRE(tracker.stream(1, 2) != nullptr);
}

TEST_CASE("sequence: streams are told apart by publisher and channel") {
    SequenceTracker tracker;
    for (uint64_t i = 0; i < 5; ++i) {
        tracker.receive(0, 0, i);
        tracker.receive(1, 0, i);
        tracker.receive(0, 1, i * 2);  // every other one of channel 1 is missing
    }
    CHECK(tracker.counts().duplicates == 0);
    CHECK(tracker.counts().reorders == 0);
    CHECK(tracker.missing() == 4);
    CHECK(tracker.stream(0, 1)->lost(9) == 4);
    CHECK(tracker.stream(1, 0)->lost(5) == 0);
}
