// The message options publish and broadcast share: the message itself, --raw, --preset,
// --event with -f fields, --output and --min-receivers.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "message/builder.hpp"
#include "output/report.hpp"

namespace amr::commands {

struct MessageOptions {
    std::optional<std::string> message;  // "-" reads stdin
    bool raw = false;
    message::MessageSpec spec;
    std::string output = "auto";
    std::optional<long long> min_receivers;
};

void add_message_options(CLI::App& sub, MessageOptions& options);

// Where the message comes from when MESSAGE is missing and nothing builds one.
enum class WhenMissing { read_piped_stdin, use_default_preset };

// The message to send: built from --preset/--event/-f, read from stdin (one trailing
// newline removed), or MESSAGE itself; JSON-validated unless --raw. Throws usage Errors.
std::string resolve_message(const MessageOptions& options, WhenMissing when_missing);

output::OutputMode output_mode(const MessageOptions& options);

// 0, or 5 after saying on stderr that fewer than --min-receivers got the message.
int check_min_receivers(const MessageOptions& options, long long receivers);

}  // namespace amr::commands
