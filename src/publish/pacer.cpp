#include "publish/pacer.hpp"

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

}  // namespace amr::publish
