// Typed failures and the exit codes they map to. Every failure amr reports is an
// amr::Error; main turns its kind into the documented exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace amr {

enum class ExitCode : int {
    ok = 0,
    failure = 1,
    usage = 2,
    connection = 3,
    auth = 4,
    too_few_receivers = 5,
    over_critical = 6,
    timeout = 124,
};

enum class ErrorKind {
    failure,     // anything else (server error replies, I/O on files)
    usage,       // bad flags, arguments or input the user gave
    connection,  // connect, TLS, network, lost connection
    auth,        // wrong password, missing permission
};

class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, std::string message, std::string hint = {})
        : std::runtime_error(std::move(message)), kind_(kind), hint_(std::move(hint)) {}

    ErrorKind kind() const { return kind_; }
    const std::string& hint() const { return hint_; }

  private:
    ErrorKind kind_;
    std::string hint_;
};

inline Error usage_error(std::string message, std::string hint = {}) {
    return Error(ErrorKind::usage, std::move(message), std::move(hint));
}

ExitCode exit_code_for(ErrorKind kind);

// The exit-code table shown by --help and README.
extern const char* const exit_code_help;

}  // namespace amr
