// Runs a shell command, feeds it its stdin and collects what it prints, bounded in time
// and size: the token command of Microsoft Entra ID sign-in, and --exec's commands (see
// exec/message_command.hpp). The process handling is supervised_process.hpp's.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace amr::util {

struct CommandOutput {
    enum class End { exited, killed_by_signal, timed_out, too_long, stopped, cannot_run };
    End end = End::cannot_run;
    int status = -1;  // the exit status, or the signal that ended it
    std::string out;  // its stdout (what `overflow` did not take)
};

struct CommandLimits {
    std::optional<std::chrono::milliseconds> timeout;  // none: no limit
    size_t max_output = 1024 * 1024;
    // Past max_output: without it the command is killed (End::too_long); with it, it is
    // called with what was collected and then with every later piece, in order.
    std::function<void(std::string_view)> overflow;
    // Asked every 50 ms or so: true kills the command (End::stopped).
    std::function<bool()> stop;
};

// Runs `sh -c command` (see start_supervised) with `input` on its stdin (a command that
// does not read it all is not an error) and `envp` as its environment (nullptr: amr's).
// The group is killed (SIGKILL) on a timeout, too much output or `stop`. amr must
// ignore SIGPIPE (it does: app.cpp), else a command that closes its stdin early kills
// amr. Call it from a thread that outlives the command (see start_supervised).
CommandOutput run_shell(const std::string& command, std::string_view input, char* const* envp,
                        const CommandLimits& limits);

// The token command: stdin empty, amr's environment, stopped by SIGINT and SIGTERM.
CommandOutput run_command(const std::string& command, std::chrono::milliseconds timeout,
                          size_t max_output);

// "exit status 3", "killed by signal 9 (KILL)", "timed out", ...
std::string describe_end(const CommandOutput& result);

}  // namespace amr::util
