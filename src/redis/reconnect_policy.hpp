// The one reconnect policy of amr: exponential backoff with full jitter (backoff.hpp), a
// bounded number of attempts (--reconnect-max), and a stability window: a fault soon after
// the last recovery means that recovery did not hold, so it counts as a failed attempt
// (once), and a server that fails every connection the same way (garbage, no
// confirmation, dropping the subscription again) is retried ever more slowly until
// --reconnect-max gives up on it; after a window of `cap` without faults, backoff starts
// over. Only connection Errors are retried: callers rethrow the others (a refused password
// is not retried), and stop on SIGINT/SIGTERM.
//
// Two ways to drive it:
// - an event loop (subscribe, bench): fault() when something breaks, wait in poll() until
//   due(), then attempting() and succeeded() or failed();
// - blocking (publish --lines/--envelope's Pipeline): reconnect() below.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "config/settings.hpp"
#include "error.hpp"
#include "redis/backoff.hpp"
#include "redis/connection.hpp"

namespace amr::redis {

class ReconnectPolicy {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr Clock::time_point never = Clock::time_point::max();

    // `where` ("host:port") names the server in messages.
    ReconnectPolicy(BackoffPolicy policy, std::string where);

    // The connections work (first connected, or recovered): a fault before now + cap
    // means this did not hold.
    void started(Clock::time_point now);
    // Something broke and must be repaired: schedules an attempt (keeping an earlier one
    // already scheduled). Throws gave_up() when a recovery that did not hold uses up the
    // last attempt.
    void fault(Clock::time_point now, const Error& why);
    // When the next attempt is due (never when none is scheduled).
    Clock::time_point due() const { return due_; }
    // An attempt begins now (due() becomes never).
    void attempting();
    // The attempt worked: returns how many attempts this recovery took, and starts the
    // stability window.
    int succeeded(Clock::time_point now);
    // The attempt failed with the connection Error `e`: schedules the next one, or throws
    // gave_up(e) when the attempts are used up.
    void failed(Clock::time_point now, const Error& e);
    // Failed attempts in a row.
    int attempts() const { return attempt_; }

    // "gave up reconnecting to <where> after N attempt(s): <why>", a connection Error.
    Error gave_up(const Error& why) const;
    // Sleeps until due(), waking early for SIGINT/SIGTERM: false when stopped.
    bool wait_until_due() const;

  private:
    BackoffPolicy policy_;
    std::string where_;
    Backoff backoff_;
    int attempt_ = 0;  // failed attempts in a row
    int tries_ = 0;    // attempts of the recovery under way
    Clock::time_point due_ = never;
    Clock::time_point stable_at_ = Clock::time_point::min();
    bool fault_counted_ = false;
};

// Connects again (logging "<reason>; reconnecting" first and "reconnected to ... after N
// attempt(s)" on success) until it works, a stop signal arrives (returns nullopt) or the
// attempts run out (throws the policy's gave_up Error). Auth failures are not retried.
// Each call starts a fresh policy.
std::optional<Connection> reconnect(const config::Settings& settings, const BackoffPolicy& policy,
                                    const std::string& reason);

}  // namespace amr::redis
