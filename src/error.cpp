#include "error.hpp"

namespace amr {

ExitCode exit_code_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::usage:
            return ExitCode::usage;
        case ErrorKind::connection:
            return ExitCode::connection;
        case ErrorKind::auth:
            return ExitCode::auth;
        case ErrorKind::failure:
            break;
    }
    return ExitCode::failure;
}

const char* const exit_code_help =
    "Exit codes:\n"
    "  0    success\n"
    "  1    other failure (server error reply, file I/O, a failed command with\n"
    "       --exec-fail-fast)\n"
    "  2    usage error (bad option, argument, .env line or message)\n"
    "  3    connection, TLS or network failure, or a reply that breaks the protocol\n"
    "  4    authentication or permission failure\n"
    "  5    fewer receivers than --min-receivers; no one received request's request;\n"
    "       bench lost more than --max-loss\n"
    "  6    check: a round trip over --critical (text, json and prometheus output)\n"
    "  124  --timeout or --idle-timeout ended before --count messages (or --replies\n"
    "       replies) arrived\n"
    "  130  SIGINT or SIGTERM stopped --lines, --file or --envelope while connecting or\n"
    "       before the end of the input, or request before its replies\n";

}  // namespace amr
