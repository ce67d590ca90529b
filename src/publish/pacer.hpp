// The schedule of paced publishing (--rate, --interval): message i (from 0) is due at
// start + i * period, computed from i each time, so a late send does not move the ones
// after it (no drift). Time is passed in, never read here, so tests need no sleep.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace amr::publish {

class Pacer {
  public:
    using Clock = std::chrono::steady_clock;

    // A period of zero: every message is due at once (as fast as the pipeline goes).
    explicit Pacer(std::chrono::nanoseconds period) : period_(period) {}
    // --rate R: messages per second, R > 0 (checked by the option).
    static Pacer per_second(double rate);

    void start(Clock::time_point now) { start_ = now; }
    Clock::time_point planned(std::uint64_t index) const;
    // How many messages are due at `now`: those with index < due(now), at most `limit`.
    std::uint64_t due(Clock::time_point now, std::uint64_t limit) const;
    // When message `index` is due; nothing when pacing is off.
    std::optional<Clock::time_point> wake_at(std::uint64_t index) const;
    bool paced() const { return period_.count() > 0; }
    std::chrono::nanoseconds period() const { return period_; }

  private:
    std::chrono::nanoseconds period_;
    Clock::time_point start_{};
};

// publish --envelope --pace received: each message at its planned time, start + (its
// received time - the first one's) / speed, computed from the first message each time
// (no drift). A time earlier than the one before (a clock set back) is due when that one
// was: the order of the input is kept.
class ReplayPacer {
  public:
    using Clock = Pacer::Clock;
    using Stamp = std::chrono::system_clock::time_point;

    // speed > 0 (checked by the option): 2 replays twice as fast.
    explicit ReplayPacer(double speed) : speed_(speed) {}

    // When the message received at `stamp` is due; the first call starts the schedule at
    // `now`.
    Clock::time_point planned(Stamp stamp, Clock::time_point now);

  private:
    double speed_;
    bool started_ = false;
    Stamp first_{};
    Clock::time_point start_{};
    Clock::time_point last_{};
};

}  // namespace amr::publish
