// Waiting on a socket against one deadline, and the TCP connect that starts a connection:
// every wait of connect, TLS and the replies goes through wait_for(), so a server that
// says nothing, or a byte at a time, holds amr no longer than the deadline.
#pragma once

#include <hiredis.h>

#include <chrono>
#include <string>

#include "config/settings.hpp"
#include "error.hpp"

namespace amr::redis {

using Clock = std::chrono::steady_clock;

// The hint of a connection that could not be made or was lost.
extern const char* const connection_hint;

// SIGINT or SIGTERM came while a stoppable connection was being opened.
class Interrupted : public Error {
  public:
    explicit Interrupted(const std::string& where)
        : Error(ErrorKind::connection, "stopped by a signal while connecting to " + where) {}
};

enum class Ready { ready, timed_out };

// Waits until `fd` is ready for `events` (POLLIN, POLLOUT) or `deadline` passes. With
// `stoppable`, SIGINT and SIGTERM throw Interrupted naming `where`.
Ready wait_for(int fd, short events, Clock::time_point deadline, bool stoppable,
               const std::string& where);

// "--connect-timeout (3 s)", for messages.
std::string timeout_text(std::chrono::milliseconds timeout);

struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

// A non-blocking hiredis context, connected by `deadline` (connection Errors otherwise).
ContextPtr connect_tcp(const config::Settings& s, Clock::time_point deadline, bool stoppable);

}  // namespace amr::redis
