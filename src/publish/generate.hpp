// publish --count / --rate / --interval: N messages made one by one (placeholders
// expanded, presets and --event rebuilt with fresh ids and timestamp), sent over one
// connection through the Pipeline, each at its planned time (Pacer), pipelined as far as
// the pace allows.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "publish/pacer.hpp"
#include "publish/session.hpp"
#include "util/clock.hpp"

namespace amr::publish {

struct GenerateOptions {
    StreamOptions stream;  // channels, window, retry, min_receivers...
    std::uint64_t count = 1;
    Pacer pacer{std::chrono::nanoseconds(0)};
    // Makes message `number` (from 1) at `now`; throws a usage Error naming the message
    // (an expanded message that is not JSON, say).
    std::function<std::string(std::uint64_t number, util::SystemTime now)> make;
    // False when nothing made uses `now`: the clock is then not read for each message.
    bool timed = true;
    // With placeholders in a CHANNEL: makes message `number`'s channels into `out` (each
    // message then goes to its own channels; stream.channels is not used).
    std::function<void(std::uint64_t number, util::SystemTime now, std::vector<std::string>& out)>
        make_channels;
};

// Sends the messages; returns when all were sent and confirmed, or after a signal
// (the message in flight is sent and confirmed first). The summary goes to stderr on
// every way out. Throws as send_stream does.
StreamResult send_generated(const config::Settings& settings, const GenerateOptions& options);

}  // namespace amr::publish
