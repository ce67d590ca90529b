// What a poll() loop drives: one connection's file descriptor, the events it waits for,
// what to do when it is readable, and its next timer. Link (link.hpp) is one; a
// publishing connection can take the same shape, so one thread's loop can carry many
// connections of both kinds (amr bench). PollSet builds the pollfd array of such a loop.
#pragma once

#include <poll.h>

#include <chrono>
#include <vector>

namespace amr::redis {

class Pollable {
  public:
    using Clock = std::chrono::steady_clock;

    virtual ~Pollable() = default;
    virtual int fd() const = 0;
    // POLLIN, with POLLOUT when output waits for room.
    virtual short events() const = 0;
    // Input buffered where poll() cannot see it (TLS): call on_readable() without waiting.
    virtual bool readable_without_poll() const = 0;
    // poll() said readable (or hung up, or failed), or readable_without_poll(): one read
    // that does not block. Throws a connection Error when the connection is lost.
    virtual void on_readable(Clock::time_point now) = 0;
    // When on_timer() must run next (Clock::time_point::max() for never).
    virtual Clock::time_point next_timer() const = 0;
    // Runs what is due at `now` (harmless when nothing is). Throws a connection Error
    // when the connection must be given up (a deadline passed, a write failed).
    virtual void on_timer(Clock::time_point now) = 0;
};

// poll()'s timeout for waking at `until`: -1 for never, 0 when past, else milliseconds
// rounded up (so the loop does not wake just before the timer).
int poll_timeout_ms(Pollable::Clock::time_point until);

// The pollfd array of one turn of a loop.
class PollSet {
  public:
    void clear() { fds_.clear(); }
    // Adds `fd` (poll() skips a negative one); returns its index.
    size_t add(int fd, short events);
    // Waits until an fd is ready or `until` (at once when `ready_now`): the number ready,
    // 0 on timeout or EINTR. Throws a failure Error when poll() fails.
    int wait(Pollable::Clock::time_point until, bool ready_now);
    short revents(size_t index) const { return fds_[index].revents; }
    // Readable, hung up or failed: worth a read.
    bool readable(size_t index) const { return fds_[index].revents & (POLLIN | POLLHUP | POLLERR); }
    size_t size() const { return fds_.size(); }

  private:
    std::vector<pollfd> fds_;
};

}  // namespace amr::redis
