#include "redis/control.hpp"

namespace amr::redis {
namespace {

std::vector<std::string> words(std::string_view line) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
        size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
        if (i > start) out.emplace_back(line.substr(start, i - start));
    }
    return out;
}

}  // namespace

const char* const control_help =
    "commands: subscribe CHANNEL... | psubscribe PATTERN... | unsubscribe CHANNEL... | "
    "punsubscribe PATTERN... | unsubscribe-all | list | help";

ControlCommand parse_control(std::string_view line) {
    using Action = ControlCommand::Action;
    ControlCommand c;
    std::vector<std::string> w = words(line);
    if (w.empty()) return c;
    const std::string verb = w.front();
    c.names.assign(w.begin() + 1, w.end());
    struct Entry {
        const char* word;
        Action action;
        bool takes_names;
    };
    static const Entry entries[] = {
        {"subscribe", Action::subscribe, true},
        {"psubscribe", Action::psubscribe, true},
        {"unsubscribe", Action::unsubscribe, true},
        {"punsubscribe", Action::punsubscribe, true},
        {"unsubscribe-all", Action::unsubscribe_all, false},
        {"list", Action::list, false},
        {"help", Action::help, false},
    };
    for (const Entry& e : entries) {
        if (verb != e.word) continue;
        if (e.takes_names && c.names.empty()) {
            c.action = Action::invalid;
            c.error = verb + " needs at least one name";
        } else if (!e.takes_names && !c.names.empty()) {
            c.action = Action::invalid;
            c.error = verb + " takes no names";
        } else {
            c.action = e.action;
        }
        return c;
    }
    c.action = Action::invalid;
    c.error = "unknown command '" + verb + "'";
    return c;
}

}  // namespace amr::redis
