// How subscribe and psubscribe print each received message.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "util/clock.hpp"

namespace amr::output {

// template_: the user's --template (output/template.hpp).
enum class Format { pretty, json, raw, template_ };

// Throws a usage Error naming the formats when `name` is not one.
Format parse_format(const std::string& name);

struct Received {
    bool is_pattern = false;   // a pmessage
    std::string_view pattern;  // set for pmessages
    std::string_view channel;
    std::string_view payload;
    util::SystemTime received_at;
    bool is_sharded = false;  // an smessage (SSUBSCRIBE)
};

class Formatter {
  public:
    virtual ~Formatter() = default;
    // Appends the message's text to `out`: ending in a newline, except for templates.
    virtual void append(const Received& message, std::string& out) = 0;
};

// What stdout is: the caller decides.
struct Display {
    bool colour = false;  // ANSI colours in pretty output: a terminal, no NO_COLOR
    // Control bytes of the message's text in pretty output and template placeholders
    // written as redis-cli does (output/terminal_escape.hpp): stdout is a terminal. json
    // and raw never change.
    bool escape = false;
};

// Format::template_ compiles `template_text`, throwing a usage Error when it is bad.
std::unique_ptr<Formatter> make_formatter(Format format, Display display,
                                          std::string_view template_text = {});

// Appends `text` as valid UTF-8, each invalid byte replaced by U+FFFD; returns whether the
// text was valid.
bool append_utf8_sanitised(std::string_view text, std::string& out);

}  // namespace amr::output
