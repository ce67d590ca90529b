#include "exec/message_command.hpp"

#include <cstring>

extern char** environ;

namespace amr::exec {

const char* const message_variables[4] = {"AMR_CHANNEL", "AMR_PATTERN", "AMR_TYPE",
                                          "AMR_RECEIVED_AT"};

namespace {

bool is_ours(const char* entry) {
    for (const char* name : message_variables) {
        const size_t n = std::strlen(name);
        if (std::strncmp(entry, name, n) == 0 && entry[n] == '=') return true;
    }
    return false;
}

}  // namespace

bool MessageEnvironment::build(const MessageFacts& m) {
    error_.clear();
    if (m.channel.find('\0') != std::string_view::npos) {
        error_ = "the channel name holds a NUL byte, which an environment variable cannot";
        return false;
    }
    if (m.pattern.find('\0') != std::string_view::npos) {
        error_ = "the pattern holds a NUL byte, which an environment variable cannot";
        return false;
    }
    entries_.clear();
    // amr's environment is read here, before fork: amr sets no variables once running.
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        if (!is_ours(*e)) entries_.emplace_back(*e);
    }
    const std::string_view values[4] = {m.channel, m.pattern, m.type, {}};
    const std::string stamp = util::utc_iso_milli(m.received_at);
    for (size_t i = 0; i < 4; ++i) {
        std::string entry = message_variables[i];
        entry += '=';
        entry += i == 3 ? std::string_view(stamp) : values[i];
        entries_.push_back(std::move(entry));
    }
    pointers_.clear();
    for (auto& entry : entries_) pointers_.push_back(entry.data());
    pointers_.push_back(nullptr);
    return true;
}

MessageCommandResult run_message_command(const std::string& command, std::string_view payload,
                                         MessageEnvironment& env,
                                         const util::CommandLimits& limits) {
    return {util::run_shell(command, payload, env.envp(), limits)};
}

}  // namespace amr::exec
