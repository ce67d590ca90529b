// publish --envelope: replaying and bridging the lines `amr subscribe -j` writes, each to
// its own channel (--pace received, --speed), and running such a stream.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "commands/command.hpp"
#include "commands/message_options.hpp"
#include "commands/stream_options.hpp"

namespace amr::commands {

struct EnvelopeFlags {
    bool envelope = false;
    std::optional<std::string> pace;  // "received"
    std::optional<double> speed;
};

void add_envelope_options(CLI::App& sub, EnvelopeFlags& flags);

// Throws a usage Error for --pace or --speed without --envelope.
void check_envelope_flags(const EnvelopeFlags& flags);

// Sends every line of stdin (or --file) to the channel it names; prints the totals per
// channel and returns the exit status (0, 5 for --min-receivers, 130 after a signal).
// `channel`: the CHANNEL argument, which must be empty.
int run_envelope(const EnvelopeFlags& flags, const StreamFlags& stream,
                 const MessageOptions& message, const std::string& channel,
                 const GlobalOptions& globals);

}  // namespace amr::commands
