// The options of publish and broadcast that generate messages: --count, --interval,
// --rate and --expand (placeholders such as {{count}} expanded in each message).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "commands/command.hpp"
#include "commands/message_options.hpp"
#include "commands/stream_options.hpp"

namespace amr::commands {

struct GenerateFlags {
    std::optional<std::uint64_t> count;
    std::optional<std::string> interval;
    std::optional<double> rate;
    bool expand = false;

    // Placeholders are expanded only when one of these was given: a message the user did
    // not ask to change is sent as it is.
    bool generating() const { return count || interval || rate || expand; }
};

void add_generate_options(CLI::App& sub, GenerateFlags& flags);

// Makes and sends the messages to `channels`, prints the totals as --lines does and
// returns the exit status (0, 5 for --min-receivers, 130 after a signal).
int run_generated(const GenerateFlags& flags, const StreamFlags& stream,
                  const MessageOptions& message, const std::vector<std::string>& channels,
                  bool broadcast, const GlobalOptions& globals);

}  // namespace amr::commands
