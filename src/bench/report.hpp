// What amr bench says: the progress line each second (stderr), the final report (text on
// stderr, or one JSON object on stdout with -o json) and the --csv rows, one a second.
// Pure functions of the numbers, so they are unit-tested without a server.
#pragma once

#include <cstdint>
#include <string>

#include "bench/histogram.hpp"

namespace amr::bench {

// The options the run used, echoed in the report.
struct RunShape {
    uint32_t publishers = 1;
    uint32_t subscribers = 1;
    uint32_t channels = 1;
    uint32_t subscribers_per_channel = 0;  // 0: every subscriber on every channel
    size_t size = 128;
    double rate = 0;  // 0: as fast as the window allows
    size_t window = 1000;
    double duration_s = 0;  // 0 when --messages
    uint64_t messages = 0;  // 0 when --duration
    double warmup_s = 0;
    bool pattern = false;
    bool sharded = false;
    uint32_t threads = 1;
    std::string prefix = "bench";
};

struct Totals {
    uint64_t published = 0;  // PUBLISH commands the server answered, after the warm-up
    uint64_t delivered = 0;  // distinct messages received, summed over subscribers
    uint64_t expected = 0;   // what the subscribers should have received
    uint64_t lost = 0;       // expected - delivered
    uint64_t duplicates = 0;
    uint64_t reorders = 0;
    uint64_t rejected = 0;  // messages on the channels that are not this run's stamps
    uint64_t disconnects = 0;
    uint64_t buffer_limit_disconnects = 0;  // of them, by the pubsub output-buffer limit
    // Where that count comes from: the server's INFO stats counter, or (servers without
    // it, Redis 7.0) the connections the server closed while messages were arriving.
    bool buffer_limit_from_server = false;
    uint64_t receivers = 0;  // summed over PUBLISH replies
};

struct Report {
    RunShape shape;
    std::string server_version = "unknown";
    std::string endpoint;  // host:port, no credentials
    bool tls = false;
    bool cluster = false;
    Totals totals;
    double publish_seconds = 0;  // from the first measured PUBLISH to the last reply
    double deliver_seconds = 0;  // from the first measured PUBLISH to the last delivery
    Histogram latency;           // nanoseconds
};

// Messages per second; 0 when no time passed.
double rate_of(uint64_t count, double seconds);
// Nanoseconds as microseconds with up to 3 decimals: 1234.567.
double to_us(uint64_t ns);
// "850 us", "1.23 ms", "2.5 s": for people.
std::string format_latency(uint64_t ns);

// The final report for people, several lines, each ending in "\n".
std::string report_text(const Report& report);
// The final report as one JSON object and "\n".
std::string report_json(const Report& report);

// One second of the run (counts since the start of the measurement).
struct Sample {
    double elapsed_s = 0;
    uint64_t published = 0;
    uint64_t delivered = 0;
    uint64_t published_in_second = 0;
    uint64_t delivered_in_second = 0;
    uint64_t p99_ns = 0;  // so far
    uint64_t lost = 0;    // so far (gaps seen)
    uint64_t disconnects = 0;
    bool warmup = false;
};

// The progress line, without "\r" or "\n".
std::string progress_line(const Sample& s);
// The --csv header and rows, each ending in "\n".
std::string csv_header();
std::string csv_row(const Sample& s);

}  // namespace amr::bench
