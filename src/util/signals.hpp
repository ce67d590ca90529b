// SIGINT and SIGTERM as a readable file descriptor (the self-pipe trick), so a poll()
// loop wakes on a signal without racing it.
#pragma once

#include <pthread.h>

namespace amr::util {

// Installs the handlers once; returns the read end of the pipe, readable after a signal.
int stop_signal_fd();
bool stop_requested();
// Wakes the poll() loops as a signal would (used when stdout's reader goes away).
void request_stop();

// Makes a blocking system call in `thread` (a write(2) to a stdout nobody reads) return
// EINTR, by a signal whose handler does nothing. The call may not have begun yet: callers
// repeat this until the thread shows it has given up.
void interrupt_thread(pthread_t thread);

}  // namespace amr::util
