// Running a user's command for one pub/sub message (`--exec CMD`): `/bin/sh -c CMD`
// with the payload on its stdin and the message's facts in its environment, in its own
// process group that dies with amr (util/supervised_process.hpp). Used by subscribe,
// psubscribe and ssubscribe --exec, and by reply --exec.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/clock.hpp"
#include "util/command_output.hpp"

namespace amr::exec {

// What CMD is told about its message.
struct MessageFacts {
    std::string_view type;     // message, pmessage or smessage
    std::string_view channel;  // any bytes
    std::string_view pattern;  // pmessage: the pattern that matched; else empty
    util::SystemTime received_at;
};

// amr's environment plus AMR_CHANNEL, AMR_PATTERN (empty for message and smessage),
// AMR_TYPE and AMR_RECEIVED_AT (UTC, milliseconds, as -j's received_at); inherited
// variables of those names are replaced. Environment values cannot hold a NUL byte:
// build() fails for a channel or pattern that has one (see error()).
class MessageEnvironment {
  public:
    // False when a value cannot be passed (error() says which).
    bool build(const MessageFacts& facts);
    const std::string& error() const { return error_; }
    // A NULL-terminated envp for execve; valid until the next build().
    char* const* envp() { return pointers_.data(); }

  private:
    std::vector<std::string> entries_;
    std::vector<char*> pointers_;
    std::string error_;
};

// The names of the variables, for documentation and tests.
extern const char* const message_variables[4];

struct MessageCommandResult {
    util::CommandOutput run;  // how it ended and its stdout (what overflow did not take)
    bool ok() const { return run.end == util::CommandOutput::End::exited && run.status == 0; }
    std::string describe() const { return util::describe_end(run); }
};

// Runs `sh -c command` for one message: `payload` on stdin, `env.envp()` (built for
// this message) as the environment, stderr shared with amr's, stdout collected as
// `limits` says (util::run_shell). Call it from a thread that outlives the command.
MessageCommandResult run_message_command(const std::string& command, std::string_view payload,
                                         MessageEnvironment& env,
                                         const util::CommandLimits& limits);

}  // namespace amr::exec
