#include "redis/backoff.hpp"

#include <algorithm>

namespace amr::redis {

Backoff::Backoff(BackoffPolicy policy) : policy_(policy), random_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::delay(int attempt) {
    long long ceiling = policy_.first.count();
    for (int i = 1; i < attempt && ceiling < policy_.cap.count(); ++i) ceiling *= 2;
    ceiling = std::min(ceiling, static_cast<long long>(policy_.cap.count()));
    std::uniform_int_distribution<long long> pick(0, ceiling);
    return std::chrono::milliseconds(pick(random_));
}

}  // namespace amr::redis
