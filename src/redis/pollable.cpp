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
    // ppoll() to the microsecond: a paced sender (bench --rate) due in 100 us must not
    // sleep a whole millisecond.
    timespec timeout{0, 0};
    timespec* wait_for = &timeout;
    if (!ready_now) {
        if (until == Pollable::Clock::time_point::max()) {
            wait_for = nullptr;
        } else {
            const auto left =
                std::chrono::ceil<std::chrono::microseconds>(until - Pollable::Clock::now())
                    .count();
            const long long us = std::clamp<long long>(left, 0, 1LL << 40);
            timeout.tv_sec = static_cast<time_t>(us / 1000000);
            timeout.tv_nsec = static_cast<long>(us % 1000000) * 1000;
        }
    }
    const int n = ppoll(fds_.data(), fds_.size(), wait_for, nullptr);
    if (n < 0 && errno != EINTR) throw Error(ErrorKind::failure, "poll failed");
    return std::max(n, 0);
}

}  // namespace amr::redis
