// The commands `subscribe --interactive` reads on stdin to change subscriptions while
// messages stream: the lab's subscriber window, in a terminal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace amr::redis {

struct ControlCommand {
    enum class Action {
        none,  // a blank line
        subscribe,
        psubscribe,
        unsubscribe,
        punsubscribe,
        unsubscribe_all,
        list,
        help,
        invalid,  // `error` says why
    };
    Action action = Action::none;
    std::vector<std::string> names;
    std::string error;
};

// Parses one line: a command word and its names, separated by blanks.
ControlCommand parse_control(std::string_view line);

extern const char* const control_help;

}  // namespace amr::redis
