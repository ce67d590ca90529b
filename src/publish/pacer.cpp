#include "publish/pacer.hpp"

#include <algorithm>
#include <cmath>

namespace amr::publish {

Pacer Pacer::per_second(double rate) {
    return Pacer(std::chrono::nanoseconds(std::llround(1e9 / rate)));
}

Pacer::Clock::time_point Pacer::planned(std::uint64_t index) const {
    // A schedule past a century is clamped there (index * period would overflow later).
    const auto period = static_cast<std::uint64_t>(period_.count());
    constexpr std::uint64_t max = 100ULL * 366 * 24 * 3600 * 1000000000ULL;
    const std::uint64_t offset = period == 0 ? 0 : (index > max / period ? max : index * period);
    return start_ + std::chrono::nanoseconds(static_cast<std::int64_t>(offset));
}

std::uint64_t Pacer::due(Clock::time_point now, std::uint64_t limit) const {
    if (!paced()) return limit;
    if (now < start_) return 0;
    const auto elapsed = static_cast<std::uint64_t>((now - start_).count());
    const std::uint64_t n = elapsed / static_cast<std::uint64_t>(period_.count()) + 1;
    return n < limit ? n : limit;
}

std::optional<Pacer::Clock::time_point> Pacer::wake_at(std::uint64_t index) const {
    if (!paced()) return std::nullopt;
    return planned(index);
}

ReplayPacer::Clock::time_point ReplayPacer::planned(Stamp stamp, Clock::time_point now) {
    if (!started_) {
        started_ = true;
        first_ = stamp;
        start_ = last_ = now;
        return now;
    }
    // A century at most: a stamp far in the future must not overflow the clock.
    constexpr double max_ns = 100.0 * 366 * 24 * 3600 * 1e9;
    const double gap = static_cast<double>(std::chrono::nanoseconds(stamp - first_).count());
    const double scaled = std::min(gap / speed_, max_ns);
    const auto at = start_ + std::chrono::nanoseconds(static_cast<std::int64_t>(scaled));
    if (at > last_) last_ = at;
    return last_;
}

}  // namespace amr::publish
