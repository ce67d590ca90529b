// The options of publish and broadcast that send a stream of lines (--lines, --file,
// --skip-invalid, --window, --retry, --reconnect-max), and running such a stream.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "commands/command.hpp"
#include "commands/message_options.hpp"
#include "publish/session.hpp"

namespace amr::commands {

struct StreamFlags {
    bool lines = false;
    std::optional<std::string> file;  // implies lines; "-" is stdin
    bool skip_invalid = false;
    std::optional<size_t> window;
    bool retry = false;
    std::optional<int> reconnect_max;

    bool streaming() const { return lines || file.has_value(); }
};

constexpr size_t default_window = 1000;

void add_stream_options(CLI::App& sub, StreamFlags& flags);

// Throws a usage Error for flags that do not go together (stream flags without --lines,
// a MESSAGE or a built message with --lines, --skip-invalid with --raw, ...).
void check_stream_flags(const StreamFlags& flags, const MessageOptions& message);

// Sends the lines to `channels` and prints the totals in the mode of `message`'s
// --output; returns the exit status (0, 5 for --min-receivers, 130 after a signal).
int run_stream(const StreamFlags& flags, const MessageOptions& message,
               const std::vector<std::string>& channels, bool broadcast,
               const GlobalOptions& globals);

// What publish::Session needs from the options.
publish::StreamOptions stream_options_of(const StreamFlags& flags, const MessageOptions& message,
                                         const std::vector<std::string>& channels);

// Prints a stream's totals in the mode of `message`'s --output and returns its exit
// status (0, 5 for --min-receivers, 130 after a signal).
int finish_stream(const publish::StreamResult& result, const MessageOptions& message,
                  bool broadcast);

}  // namespace amr::commands
