// How busy a connection has been: the bytes it received in the last second. A lost
// connection that was busy was most likely closed by the server for falling behind
// (its client-output-buffer-limit), which amr then says.
#pragma once

#include <chrono>
#include <cstddef>

namespace amr::redis {

class Traffic {
  public:
    using Clock = std::chrono::steady_clock;

    void add(size_t bytes, Clock::time_point now);
    // Bytes a second: in the last whole second, or in the current one so far (scaled to
    // a second once 20 ms of it have passed) when that is more; 0 after a second
    // without any.
    size_t per_second(Clock::time_point now) const;

  private:
    Clock::time_point started_{};  // of the current one-second window
    size_t current_ = 0;           // bytes in the current window
    size_t previous_ = 0;          // bytes in the window before it
};

}  // namespace amr::redis
