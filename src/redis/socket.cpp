#include "redis/socket.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "util/signals.hpp"

namespace amr::redis {

const char* const connection_hint =
    "check that the Redis host and port are correct, and that the network allows it";

Ready wait_for(int fd, short events, Clock::time_point deadline, bool stoppable,
               const std::string& where) {
    pollfd fds[] = {{fd, events, 0}, {stoppable ? util::stop_signal_fd() : -1, POLLIN, 0}};
    for (;;) {
        if (stoppable && util::stop_requested()) throw Interrupted(where);
        // A deadline already past still looks once: the socket may be ready.
        const long long left = std::max<long long>(
            std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count(), 0);
        const int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left, INT32_MAX)));
        if (n < 0 && errno != EINTR) {
            throw Error(ErrorKind::failure, std::string("poll failed: ") + std::strerror(errno));
        }
        if (n > 0 && fds[0].revents != 0) return Ready::ready;
        if (left == 0) return Ready::timed_out;
    }
}

std::string timeout_text(std::chrono::milliseconds timeout) {
    const long long ms = timeout.count();
    std::string seconds = std::to_string(ms / 1000);
    if (ms % 1000 != 0) {
        char frac[8];
        std::snprintf(frac, sizeof frac, ".%03lld", ms % 1000);
        std::string f = frac;
        while (f.back() == '0') f.pop_back();
        seconds += f;
    }
    return "--connect-timeout (" + seconds + " s)";
}

ContextPtr connect_tcp(const config::Settings& s, Clock::time_point deadline, bool stoppable) {
    const std::string where = s.host + ":" + std::to_string(s.port);
    redisOptions options{};
    REDIS_OPTIONS_SET_TCP(&options, s.host.c_str(), s.port);
    // amr waits itself (wait_for): hiredis's own waits know no deadline and no signal.
    options.options |= REDIS_OPT_NONBLOCK;
    ContextPtr context(redisConnectWithOptions(&options));
    if (!context) throw Error(ErrorKind::failure, "out of memory");
    if (context->err) {
        throw Error(ErrorKind::connection, "cannot connect to " + where + ": " + context->errstr,
                    connection_hint);
    }
    const int fd = context->fd;
    // A command amr runs (--token-command) must not inherit the socket.
    fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
    if (wait_for(fd, POLLOUT, deadline, stoppable, where) == Ready::timed_out) {
        throw Error(
            ErrorKind::connection,
            "cannot connect to " + where + ": no answer within " + timeout_text(s.connect_timeout),
            connection_hint);
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) {
        throw Error(ErrorKind::connection, "cannot connect to " + where + ": " + std::strerror(err),
                    connection_hint);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // Finds dead peers even when nothing is sent (AMR drops idle connections).
    redisEnableKeepAlive(context.get());
    return context;
}

}  // namespace amr::redis
