// publish --lines and broadcast --lines: every line of the input is one message, checked
// as JSON (unless raw), sent through a Pipeline, with a progress line on a terminal and a
// summary at the end.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "publish/line_reader.hpp"
#include "publish/report.hpp"
#include "publish/session.hpp"

namespace amr::publish {

// Sends every line; returns when the input has ended (or a signal stopped it) and every
// message sent was confirmed. The summary goes to stderr on every way out, errors too.
// Throws: usage (2), without skip_invalid, for an invalid line (after sending and
// confirming everything before it); connection (3) when the connection is
// lost (saying how many messages were confirmed); failure (1) for an error reply.
StreamResult send_stream(const InputFile& input, const config::Settings& settings,
                         const StreamOptions& options);

struct EnvelopeOptions {
    StreamOptions stream;        // its channels are not used: each line names its own
    bool pace_received = false;  // --pace received
    double speed = 1.0;          // --speed
};

// publish --envelope: every line is a JSON object as subscribe -j writes them
// (message/envelope.hpp), its payload sent to its channel; otherwise as send_stream().
StreamResult send_envelope(const InputFile& input, const config::Settings& settings,
                           const EnvelopeOptions& options);

// Exit status 130, after a signal stopped the reading.
constexpr int interrupted_exit_code = 130;

}  // namespace amr::publish
