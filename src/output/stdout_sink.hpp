// stdout is data: written with write(2), one call per message, so pipes see each message
// at once; a reader that went away ends the command quietly.
#pragma once

#include <atomic>
#include <string_view>

namespace amr::output {

// Thrown when stdout's reader has gone (EPIPE): the command stops and exits 0.
struct StdoutClosed {};

// Thrown when a write was interrupted (util::interrupt_thread) after `abandon` was set.
struct WriteAbandoned {};

void write_stdout(std::string_view data, const std::atomic<bool>* abandon = nullptr);
bool stdout_is_terminal();
// Colour on stdout: a terminal and no NO_COLOR in the environment.
bool stdout_wants_colour();

}  // namespace amr::output
