#include <doctest/doctest.h>

#include "publish/report.hpp"

using amr::output::OutputMode;
using amr::publish::StreamTotals;

namespace {

StreamTotals one_channel() {
    return {{"orders:created"}, {42}, 21, 42, 3, {21}, false};
}
StreamTotals two_channels() {
    return {{"a", "b\"c"}, {5, 0}, 5, 5, 0, {5, 5}, false};
}

}  // namespace

TEST_CASE("publish_lines_output in each mode") {
    CHECK(amr::publish::publish_lines_output(OutputMode::count, one_channel()) == "42\n");
    CHECK(amr::publish::publish_lines_output(OutputMode::json, one_channel()) ==
          "{\"channel\":\"orders:created\",\"messages\":21,\"receivers\":42,\"skipped\":3}\n");
    CHECK(amr::publish::publish_lines_output(OutputMode::report, one_channel()) ==
          "[>] Published 21 message(s) to channel: 'orders:created'\n"
          "[#] Receivers in total: 42\n"
          "[!] Invalid lines skipped: 3\n");
}

TEST_CASE("broadcast_lines_output in each mode") {
    CHECK(amr::publish::broadcast_lines_output(OutputMode::count, two_channels()) ==
          "a\t5\nb\"c\t0\ntotal\t5\n");
    CHECK(amr::publish::broadcast_lines_output(OutputMode::json, two_channels()) ==
          "{\"channels\":[{\"channel\":\"a\",\"receivers\":5},{\"channel\":\"b\\\"c\","
          "\"receivers\":0}],\"messages\":5,\"total\":5,\"skipped\":0}\n");
    CHECK(amr::publish::broadcast_lines_output(OutputMode::report, two_channels()) ==
          "[>] Broadcast 5 message(s) to 2 channels\n\n"
          "  - a: 5 receiver(s)\n"
          "  - b\"c: 0 receiver(s)\n\n"
          "[#] Total receivers reached: 5\n");
}

TEST_CASE("summary_text names the count, the channel or channels, the rate and the skips") {
    CHECK(amr::publish::summary_text(one_channel(), 2.0) ==
          "sent 21 message(s) to 'orders:created' in 2.00 s (11 messages/s): 42 receiver(s) in "
          "total, 3 invalid line(s) skipped");
    CHECK(amr::publish::summary_text(two_channels(), 0.25) ==
          "sent 5 message(s) to 2 channels in 250 ms (20 messages/s): 5 receiver(s) in total, "
          "0 invalid line(s) skipped");
}

TEST_CASE("format_rate and format_seconds") {
    CHECK(amr::publish::format_rate(1000000, 0.5) == "2000000");
    CHECK(amr::publish::format_rate(10, 0.0) == "-");
    CHECK(amr::publish::format_seconds(0.0123) == "12 ms");
    CHECK(amr::publish::format_seconds(61.5) == "61.50 s");
}

TEST_CASE("progress_text shows skipped lines only when there are some") {
    CHECK(amr::publish::progress_text(100, 90, 0, 1.0) == "100 sent, 90 confirmed (90 messages/s)");
    CHECK(amr::publish::progress_text(100, 90, 2, 1.0) ==
          "100 sent, 90 confirmed (90 messages/s), 2 skipped");
}
