// Runs a shell command and collects what it prints, bounded in time and size: the
// token command of Microsoft Entra ID sign-in.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace amr::util {

struct CommandOutput {
    enum class End { exited, killed_by_signal, timed_out, too_long, stopped, cannot_run };
    End end = End::cannot_run;
    int status = -1;  // the exit status, or the signal that ended it
    std::string out;  // its stdout
};

// Runs `sh -c command` with stdin on /dev/null, stdout to amr, stderr shared with amr's,
// and no other descriptor of amr's. It runs in its own process group (so a terminal's
// Ctrl-C reaches amr alone), which is killed (SIGKILL) when the command overruns
// `timeout`, prints more than `max_output` bytes or amr is asked to stop (SIGINT,
// SIGTERM), and when amr dies, even by SIGKILL (PR_SET_PDEATHSIG on the group's leader).
// PR_SET_PDEATHSIG follows the calling thread, not the process: call this from a thread
// that outlives the command (amr runs it on the main thread).
CommandOutput run_command(const std::string& command, std::chrono::milliseconds timeout,
                          size_t max_output);

}  // namespace amr::util
