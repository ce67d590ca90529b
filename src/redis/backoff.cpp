#include "redis/backoff.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "util/signals.hpp"

namespace amr::redis {
namespace {

// Sleeps, waking early for SIGINT/SIGTERM; returns false when stopped.
bool sleep_unless_stopped(std::chrono::milliseconds ms) {
    pollfd fd{util::stop_signal_fd(), POLLIN, 0};
    auto until = std::chrono::steady_clock::now() + ms;
    while (!util::stop_requested()) {
        auto left =
            std::chrono::ceil<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0) return true;
        poll(&fd, 1, static_cast<int>(left.count()));
    }
    return false;
}

}  // namespace

Backoff::Backoff(BackoffPolicy policy) : policy_(policy), random_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::delay(int attempt) {
    long long ceiling = policy_.first.count();
    for (int i = 1; i < attempt && ceiling < policy_.cap.count(); ++i) ceiling *= 2;
    ceiling = std::min(ceiling, static_cast<long long>(policy_.cap.count()));
    std::uniform_int_distribution<long long> pick(0, ceiling);
    return std::chrono::milliseconds(pick(random_));
}

std::optional<Connection> reconnect(const config::Settings& settings, const BackoffPolicy& policy,
                                    const std::string& reason) {
    const std::string where = settings.host + ":" + std::to_string(settings.port);
    spdlog::warn("{}; reconnecting", reason);
    Backoff backoff(policy);
    for (int attempt = 1;; ++attempt) {
        if (!sleep_unless_stopped(backoff.delay(attempt))) return std::nullopt;
        try {
            // A signal ends a reconnect as it ends the waits between attempts.
            Connection connection =
                Connection::open(settings, Connection::Protocol::resp2, true, true);
            spdlog::warn("reconnected to {} after {} attempt(s)", where, attempt);
            return connection;
        } catch (const Interrupted&) {
            return std::nullopt;
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            if (policy.max_attempts && attempt >= *policy.max_attempts) {
                throw Error(ErrorKind::connection,
                            "gave up reconnecting to " + where + " after " +
                                std::to_string(attempt) + " attempt(s): " + e.what(),
                            e.hint());
            }
            spdlog::debug("reconnect attempt {} failed: {}", attempt, e.what());
        }
    }
}

}  // namespace amr::redis
