#include "redis/traffic.hpp"

#include <algorithm>

namespace amr::redis {
namespace {

constexpr auto window = std::chrono::seconds(1);
// A window this old is long enough to tell a rate from (one read alone is not): a server
// at its output limit closes a subscriber some tens of milliseconds into a flood.
constexpr auto shortest = std::chrono::milliseconds(20);

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
    const auto elapsed = now - started_;
    if (elapsed >= window) return current_;
    // A flood the server ends within a second (its output limit) still counts at its
    // rate: the bytes so far, scaled to a second.
    size_t rate = current_;
    if (elapsed >= shortest) {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
        rate =
            static_cast<size_t>(static_cast<double>(current_) * 1000.0 / static_cast<double>(ms));
    }
    return std::max(rate, previous_);
}

}  // namespace amr::redis
