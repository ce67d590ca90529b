#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "error.hpp"
#include "util/duration.hpp"

using amr::Error;
using amr::ErrorKind;
using amr::util::parse_duration;
using amr::util::parse_duration_us;
using namespace std::chrono_literals;

TEST_CASE("parse_duration: a bare number is seconds") {
    CHECK(parse_duration("10", "--timeout") == 10000ms);
    CHECK(parse_duration("1", "--timeout") == 1000ms);
    CHECK(parse_duration("0.25", "--timeout") == 250ms);
    CHECK(parse_duration(".5", "--timeout") == 500ms);
}

TEST_CASE("parse_duration: units ms, s, m and h") {
    CHECK(parse_duration("10s", "--timeout") == 10000ms);
    CHECK(parse_duration("500ms", "--timeout") == 500ms);
    CHECK(parse_duration("2m", "--timeout") == 120000ms);
    CHECK(parse_duration("1h", "--timeout") == 3600000ms);
    CHECK(parse_duration("1.5s", "--timeout") == 1500ms);
    CHECK(parse_duration("0.5m", "--timeout") == 30000ms);
    CHECK(parse_duration("1.5h", "--timeout") == 5400000ms);
}

TEST_CASE("parse_duration: a fraction of a millisecond rounds up") {
    CHECK(parse_duration("0.5ms", "--timeout") == 1ms);
    CHECK(parse_duration("1.2ms", "--timeout") == 2ms);
    CHECK(parse_duration("0.0001s", "--timeout") == 1ms);
}

TEST_CASE("parse_duration: bad durations are usage errors naming the option and text") {
    for (const std::string bad :
         {"",     "0",   "0s",  "0ms",   "-1",     "-1s", "10x", "s",    "ms",  "abc",
          "10 s", " 10", "10S", "10sec", "1.5.5s", "inf", "nan", "0x10", "1e3", "10ms5"}) {
        CAPTURE(bad);
        try {
            parse_duration(bad, "--timeout");
            FAIL("accepted a bad duration");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(std::string(e.what()) == std::string("--timeout: bad duration '") + bad + "'");
            CHECK(e.hint().find("500ms") != std::string::npos);
        }
    }
}

TEST_CASE("parse_duration_us: microseconds, for thresholds under a millisecond") {
    CHECK(parse_duration_us("0.25ms", "--warn") == 250us);
    CHECK(parse_duration_us("0.001ms", "--warn") == 1us);
    CHECK(parse_duration_us("2", "--warn") == 2s);
    CHECK(parse_duration_us("1h", "--warn") == 1h);
    CHECK_THROWS_AS(parse_duration_us("0", "--warn"), Error);
    CHECK_THROWS_AS(parse_duration_us("1us", "--warn"), Error);
}
