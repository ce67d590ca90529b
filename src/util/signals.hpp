// SIGINT and SIGTERM as a readable file descriptor (the self-pipe trick), so a poll()
// loop wakes on a signal without racing it.
#pragma once

namespace amr::util {

// Installs the handlers once; returns the read end of the pipe, readable after a signal.
int stop_signal_fd();
bool stop_requested();
// Wakes the poll() loops as a signal would (used when stdout's reader goes away).
void request_stop();

}  // namespace amr::util
