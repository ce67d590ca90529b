// The live progress line of publish --lines on a terminal: stderr, rewritten in place with
// "\r" at most four times a second, erased before any other line is written.
#pragma once

#include <chrono>
#include <cstdint>

namespace amr::publish {

class Progress {
  public:
    // Shows nothing unless `enabled` (stderr is a terminal and info messages are wanted).
    explicit Progress(bool enabled);
    ~Progress();

    // Redraws the line when the last drawing is old enough; cheap to call often.
    void update(uint64_t sent, uint64_t confirmed, uint64_t skipped);
    // Erases the line, if one is shown, so the next write starts on a clean line.
    void clear();
    double elapsed_seconds() const;

    // stderr is a terminal and the logger prints info lines (not -q).
    static bool wanted();

  private:
    using Clock = std::chrono::steady_clock;
    bool enabled_;
    bool shown_ = false;
    Clock::time_point start_;
    Clock::time_point next_draw_;
};

}  // namespace amr::publish
