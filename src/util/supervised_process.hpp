// A shell command in its own process group that dies with amr: the one mechanism behind
// the Entra token command (command_output.hpp) and --exec (exec/message_command.hpp).
#pragma once

#include <sys/types.h>

namespace amr::util {

// Starts `sh -c command` with `stdin_fd` as its stdin, `stdout_fd` as its stdout,
// amr's stderr, no other descriptor of amr's, and `envp` as its environment (nullptr:
// amr's). A supervisor process leads a new process group holding the command and
// everything it starts (so a terminal's Ctrl-C reaches amr alone); it kills the whole
// group (SIGKILL) when amr dies, even by SIGKILL (PR_SET_PDEATHSIG). It exits with the
// command's status, or dies of the signal that killed the command.
// PR_SET_PDEATHSIG follows the calling thread, not the process: call this from a thread
// that outlives the command. Returns the supervisor's pid (its group id), or -1.
// `envp` must be built before the call: nothing but async-signal-safe calls run between
// fork and exec, since amr has other threads.
pid_t start_supervised(const char* command, int stdin_fd, int stdout_fd, char* const* envp);

// Kills the group of a supervisor started above (SIGKILL); the caller still reaps it.
void kill_supervised(pid_t pid);

}  // namespace amr::util
