#include "redis/pollable.hpp"

#include <algorithm>
#include <cerrno>

#include "error.hpp"

namespace amr::redis {

int poll_timeout_ms(Pollable::Clock::time_point until) {
    if (until == Pollable::Clock::time_point::max()) return -1;
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(until - Pollable::Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

size_t PollSet::add(int fd, short events) {
    fds_.push_back({fd, events, 0});
    return fds_.size() - 1;
}

int PollSet::wait(Pollable::Clock::time_point until, bool ready_now) {
    const int n = poll(fds_.data(), fds_.size(), ready_now ? 0 : poll_timeout_ms(until));
    if (n < 0 && errno != EINTR) throw Error(ErrorKind::failure, "poll failed");
    return std::max(n, 0);
}

}  // namespace amr::redis
