#include "redis/traffic.hpp"

#include <algorithm>

namespace amr::redis {
namespace {

constexpr auto window = std::chrono::seconds(1);

}  // namespace

void Traffic::add(size_t bytes, Clock::time_point now) {
    if (now - started_ >= window) {
        // The window just ended is the previous one only when it ended just now.
        previous_ = now - started_ < 2 * window ? current_ : 0;
        current_ = 0;
        started_ = now;
    }
    current_ += bytes;
}

size_t Traffic::per_second(Clock::time_point now) const {
    if (now - started_ >= 2 * window) return 0;
    if (now - started_ >= window) return current_;
    return std::max(current_, previous_);
}

}  // namespace amr::redis
