// The subcommands: each file under commands/ defines one CommandSpec; registry.cpp lists
// them in the order --help shows.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

#include "config/settings.hpp"

namespace amr::commands {

// Options shared by every command (bound by app.cpp).
struct GlobalOptions {
    config::ConnectionFlags connection;
};

// Runs the parsed command; returns the process exit code or throws amr::Error.
using Action = std::function<int()>;

struct CommandSpec {
    const char* name;
    const char* description;
    // Adds the command's options to `sub` and returns what runs it once parsed.
    std::function<Action(CLI::App& sub, const GlobalOptions& globals)> setup;
};

const std::vector<CommandSpec>& all_commands();

CommandSpec publish_command();
CommandSpec broadcast_command();
CommandSpec subscribe_command();
CommandSpec psubscribe_command();
CommandSpec ssubscribe_command();
CommandSpec channels_command();
CommandSpec ping_command();
CommandSpec check_command();
CommandSpec top_command();
CommandSpec request_command();
CommandSpec reply_command();
CommandSpec profile_command();
CommandSpec bench_command();

}  // namespace amr::commands
