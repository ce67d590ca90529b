// Backoff between reconnect attempts: exponential with full jitter, capped, and a bounded
// number of attempts (AMR fails over in under a second when planned, 10-15 s when not).
// ReconnectPolicy (reconnect_policy.hpp) drives it.
#pragma once

#include <chrono>
#include <optional>
#include <random>

namespace amr::redis {

struct BackoffPolicy {
    std::chrono::milliseconds first{100};
    std::chrono::milliseconds cap{10000};
    std::optional<int> max_attempts;  // unset: keep trying
};

class Backoff {
  public:
    explicit Backoff(BackoffPolicy policy);
    // The wait before attempt `attempt` (1-based): uniform in [0, min(cap, first*2^(attempt-1))].
    std::chrono::milliseconds delay(int attempt);

  private:
    BackoffPolicy policy_;
    std::mt19937_64 random_;
};

}  // namespace amr::redis
