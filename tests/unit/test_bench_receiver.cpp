#include <doctest/doctest.h>

#include "bench/receiver.hpp"

using namespace amr::bench;

namespace {

std::string payload(uint32_t run, uint32_t pub, uint32_t chan, uint64_t seq, uint64_t sent,
                    bool warmup = false) {
    return make_payload({run, warmup, pub, chan, seq, sent}, 64);
}

}  // namespace

TEST_CASE("receiver: counts this run's messages and their latency") {
    Receiver r({77, 2, {true, false, true}});
    CHECK(r.on_payload(payload(77, 0, 0, 0, 1000), 4000) == Receiver::Outcome::counted);
    CHECK(r.on_payload(payload(77, 1, 2, 0, 2000), 4000) == Receiver::Outcome::counted);
    CHECK(r.on_payload(payload(77, 0, 0, 2, 3000), 5000) == Receiver::Outcome::counted);
    CHECK(r.on_payload(payload(77, 0, 0, 2, 3000), 5000) == Receiver::Outcome::counted);
    CHECK(r.tracker().counts().received == 4);
    CHECK(r.tracker().counts().duplicates == 1);
    CHECK(r.tracker().missing() == 1);
    CHECK(r.latency().count() == 3);  // not the duplicate
    CHECK(r.latency().max() == 3000);
    CHECK(r.last_arrival_ns() == 5000);
}

TEST_CASE("receiver: rejects what is not one of the run's messages") {
    Receiver r({77, 2, {true, false, true}});
    CHECK(r.on_payload("hello", 10) == Receiver::Outcome::rejected);
    CHECK(r.on_payload(payload(78, 0, 0, 0, 1), 10) == Receiver::Outcome::rejected);  // run
    CHECK(r.on_payload(payload(77, 2, 0, 0, 1), 10) == Receiver::Outcome::rejected);  // pub
    CHECK(r.on_payload(payload(77, 0, 1, 0, 1), 10) == Receiver::Outcome::rejected);  // chan
    CHECK(r.on_payload(payload(77, 0, 3, 0, 1), 10) == Receiver::Outcome::rejected);
    CHECK(r.on_payload(payload(77, 0, 0, 0, 11), 10) == Receiver::Outcome::rejected);  // future
    CHECK(r.on_payload(payload(77, 0, 0, 0, 1, true), 10) == Receiver::Outcome::warmup);
    CHECK(r.rejected() == 6);
    CHECK(r.warmup() == 1);
    CHECK(r.tracker().counts().received == 0);
    CHECK(r.latency().count() == 0);
}
