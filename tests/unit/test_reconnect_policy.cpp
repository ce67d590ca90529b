#include "redis/reconnect_policy.hpp"

#include <doctest/doctest.h>

#include <string>

using amr::Error;
using amr::ErrorKind;
using amr::redis::BackoffPolicy;
using amr::redis::ReconnectPolicy;
using namespace std::chrono_literals;

namespace {

const Error lost(ErrorKind::connection, "connection lost");

BackoffPolicy policy(std::optional<int> max_attempts = std::nullopt) {
    BackoffPolicy p;
    p.first = 100ms;
    p.cap = 1000ms;
    p.max_attempts = max_attempts;
    return p;
}

std::string gave_up_message(auto&& step) {
    try {
        step();
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::connection);
        return e.what();
    }
    FAIL("no Error thrown");
    return {};
}

}  // namespace

TEST_CASE("ReconnectPolicy: a fault schedules an attempt within the backoff; none before") {
    ReconnectPolicy r(policy(), "h:1");
    const auto t0 = ReconnectPolicy::Clock::time_point{} + 100s;
    CHECK(r.due() == ReconnectPolicy::never);
    r.started(t0);
    r.fault(t0 + 5s, lost);  // long after: the last recovery held
    CHECK(r.attempts() == 0);
    CHECK(r.due() >= t0 + 5s);
    CHECK(r.due() <= t0 + 5s + 100ms);  // first attempt: at most `first`
    // A second fault keeps the earlier attempt.
    const auto due = r.due();
    r.fault(t0 + 5s + 1ms, lost);
    CHECK(r.due() <= due);
    r.attempting();
    CHECK(r.due() == ReconnectPolicy::never);
}

TEST_CASE("ReconnectPolicy: failed attempts back off, capped, and succeeded() counts them") {
    ReconnectPolicy r(policy(), "h:1");
    const auto t0 = ReconnectPolicy::Clock::time_point{} + 100s;
    r.started(t0 - 10s);
    r.fault(t0, lost);
    for (int i = 1; i <= 6; ++i) {
        r.attempting();
        r.failed(t0, lost);
        CHECK(r.attempts() == i);
        CHECK(r.due() >= t0);
        CHECK(r.due() <= t0 + 1000ms);  // never past the cap
    }
    r.attempting();
    CHECK(r.succeeded(t0) == 7);
    r.attempting();
    CHECK(r.succeeded(t0) == 1);  // a new recovery counts from 1
}

TEST_CASE("ReconnectPolicy: --reconnect-max gives up naming the server and the attempts") {
    ReconnectPolicy r(policy(2), "example:6380");
    const auto t0 = ReconnectPolicy::Clock::time_point{} + 100s;
    r.fault(t0, lost);
    r.attempting();
    r.failed(t0, lost);
    r.attempting();
    const std::string message =
        gave_up_message([&] { r.failed(t0, Error(ErrorKind::connection, "refused")); });
    CHECK(message == "gave up reconnecting to example:6380 after 2 attempt(s): refused");
}

TEST_CASE("ReconnectPolicy: a fault soon after a recovery counts as a failed attempt, once") {
    ReconnectPolicy r(policy(2), "h:1");
    const auto t0 = ReconnectPolicy::Clock::time_point{} + 100s;
    r.started(t0);
    r.fault(t0 + 100ms, lost);  // within the window: the start did not hold
    CHECK(r.attempts() == 1);
    r.fault(t0 + 200ms, lost);  // counted once per recovery
    CHECK(r.attempts() == 1);
    r.attempting();
    r.succeeded(t0 + 300ms);
    // Again within the window after that recovery: the last attempt is used up.
    const std::string message = gave_up_message([&] { r.fault(t0 + 400ms, lost); });
    CHECK(message == "gave up reconnecting to h:1 after 2 attempt(s): connection lost");
}

TEST_CASE("ReconnectPolicy: after a stable window backoff starts over") {
    ReconnectPolicy r(policy(3), "h:1");
    const auto t0 = ReconnectPolicy::Clock::time_point{} + 100s;
    r.started(t0);
    r.fault(t0 + 10ms, lost);
    r.attempting();
    r.failed(t0 + 20ms, lost);
    CHECK(r.attempts() == 2);
    r.attempting();
    r.succeeded(t0 + 30ms);
    r.fault(t0 + 30ms + 1000ms, lost);  // the cap (1 s) later: it held
    CHECK(r.attempts() == 0);
    CHECK(r.due() <= t0 + 1030ms + 100ms);
}
