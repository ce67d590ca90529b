#include "commands/command.hpp"

namespace amr::commands {

const std::vector<CommandSpec>& all_commands() {
    static const std::vector<CommandSpec> list = {
        publish_command(),    broadcast_command(), subscribe_command(), psubscribe_command(),
        ssubscribe_command(), request_command(),   reply_command(),     channels_command(),
        ping_command(),       profile_command(),   check_command(),     top_command(),
        bench_command(),
    };
    return list;
}

}  // namespace amr::commands
