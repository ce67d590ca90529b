// What publish --lines and broadcast --lines say: the summary and the progress line on
// stderr, and the totals on stdout in the -o modes of publish and broadcast.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "output/report.hpp"

namespace amr::publish {

struct StreamTotals {
    std::vector<std::string> channels;
    std::vector<long long> channel_receivers;  // per channel
    uint64_t messages = 0;                     // confirmed by the server
    long long receivers = 0;                   // over every message and channel
    uint64_t skipped = 0;                      // invalid lines skipped
    std::vector<uint64_t> channel_messages;    // per channel, confirmed
    bool per_message = false;  // channels given with each message (--envelope, {{count}})
};

// "12.3 s", "850 ms"
std::string format_seconds(double seconds);
// Messages per second, whole: "612345"; "-" when no time has passed.
std::string format_rate(uint64_t messages, double seconds);

// One line for stderr: what was confirmed, to where, how fast, what was skipped.
std::string summary_text(const StreamTotals& totals, double seconds);
// With channels given per message, the lines for stderr after it: one per channel, its
// name terminal-escaped, its messages and receivers.
std::vector<std::string> channel_summary_lines(const StreamTotals& totals);
// The terminal's live line (without "\r").
std::string progress_text(uint64_t sent, uint64_t confirmed, uint64_t skipped, double seconds);

// stdout for publish --lines (one channel) and broadcast --lines (any number):
// count: the receivers (broadcast: per channel, then the total); json: one object with
// the counts; report: a short summary for people.
std::string publish_lines_output(output::OutputMode mode, const StreamTotals& totals);
std::string broadcast_lines_output(output::OutputMode mode, const StreamTotals& totals);
// stdout for a stream whose messages name their channels (publish --envelope, a
// placeholder in CHANNEL): count as broadcast's; json and report with the messages and
// receivers per channel.
std::string per_channel_output(output::OutputMode mode, const StreamTotals& totals);

}  // namespace amr::publish
