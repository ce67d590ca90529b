// Text from outside (channel names, payloads, server error texts) shown to a person: its
// control bytes would otherwise reach the terminal as escape sequences (a channel named
// "\e]0;x\a" retitles the window, "\e[2J" clears it). The one escaper behind stderr and
// behind pretty output and template placeholders on a terminal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace amr::output {

// Length of the valid UTF-8 sequence at s[i], or 0 when the byte there starts none.
size_t utf8_sequence(std::string_view s, size_t i);

enum class Newlines { escape, keep };

// Appends `text` with control bytes written as redis-cli writes them: \n \r \t \a \b and
// \xNN for the other C0 bytes, DEL, the C1 controls (U+0080..U+009F, as their two bytes)
// and each byte of invalid UTF-8. Valid UTF-8 and backslashes pass unchanged, so the
// result is for reading, not for decoding. Newlines::keep leaves '\n' alone, for text
// whose line breaks are amr's own (indented JSON, whose strings are escaped already).
void append_terminal_escaped(std::string_view text, std::string& out,
                             Newlines newlines = Newlines::escape);

std::string terminal_escaped(std::string_view text);

}  // namespace amr::output
