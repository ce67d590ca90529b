// stdout is data: written with write(2), one call per message, so pipes see each message
// at once; a reader that went away ends the command quietly.
#pragma once

#include <string_view>

namespace amr::output {

// Thrown when stdout's reader has gone (EPIPE): the command stops and exits 0.
struct StdoutClosed {};

void write_stdout(std::string_view data);
bool stdout_is_terminal();
// Colour on stdout: a terminal and no NO_COLOR in the environment.
bool stdout_wants_colour();

}  // namespace amr::output
