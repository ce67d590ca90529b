// The message options publish and broadcast share: the message itself, --raw, --preset,
// --event with -f fields, --output and --min-receivers.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "config/settings.hpp"
#include "message/builder.hpp"
#include "output/report.hpp"

namespace amr::commands {

struct MessageOptions {
    std::optional<std::string> message;  // "-" reads stdin
    bool raw = false;
    message::MessageSpec spec;
    std::string output = "auto";
    std::optional<long long> min_receivers;
    bool sharded = false;  // SPUBLISH, routed to each channel's shard
    bool cluster = false;  // require a cluster (default: detected)
};

void add_message_options(CLI::App& sub, MessageOptions& options);
// Only the options that build a message: --preset, --event and -f (for request).
void add_message_build_options(CLI::App& sub, MessageOptions& options);

// Where the message comes from when MESSAGE is missing and nothing builds one.
enum class WhenMissing { read_piped_stdin, use_default_preset };

// The message to send: built from --preset/--event/-f, read from stdin (one trailing
// newline removed), or MESSAGE itself; JSON-validated unless --raw. Throws usage Errors.
std::string resolve_message(const MessageOptions& options, WhenMissing when_missing);

// The parts of resolve_message, for messages made one by one (--count): MESSAGE or stdin
// as given (nothing when a message is to be built), the spec to build (the default
// preset when nothing was given to broadcast), and the JSON check naming `what`.
std::optional<std::string> given_text(const MessageOptions& options, WhenMissing when_missing);
message::MessageSpec spec_to_build(const MessageOptions& options);
void require_message_json(const MessageOptions& options, const std::string& text,
                          const std::string& what);

output::OutputMode output_mode(const MessageOptions& options);

// 0, or 5 after saying on stderr that fewer than --min-receivers got the message.
int check_min_receivers(const MessageOptions& options, long long receivers);

// Publishes `text` to each channel: PUBLISH pipelined over one connection, or with
// --sharded SPUBLISH on the shard that owns each channel. The receiver counts, in order.
std::vector<long long> publish_each(const MessageOptions& options,
                                    const std::vector<std::string>& channels,
                                    const std::string& text, const config::Settings& settings);

// The settings for a stream of --sharded messages: the shard owning the channels (which
// must share a slot in a cluster).
config::Settings sharded_stream_settings(const MessageOptions& options,
                                         const std::vector<std::string>& channels,
                                         config::Settings settings);

}  // namespace amr::commands
