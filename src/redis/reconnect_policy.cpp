#include "redis/reconnect_policy.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "util/signals.hpp"

namespace amr::redis {

ReconnectPolicy::ReconnectPolicy(BackoffPolicy policy, std::string where)
    : policy_(policy), where_(std::move(where)), backoff_(policy) {}

void ReconnectPolicy::started(Clock::time_point now) {
    stable_at_ = now + policy_.cap;
}

void ReconnectPolicy::fault(Clock::time_point now, const Error& why) {
    if (now >= stable_at_) {
        attempt_ = 0;
    } else if (!fault_counted_) {
        fault_counted_ = true;
        ++attempt_;
        if (policy_.max_attempts && attempt_ >= *policy_.max_attempts) throw gave_up(why);
    }
    // A time already past belongs to a recovery that had nothing to do.
    const auto at = now + backoff_.delay(attempt_ + 1);
    due_ = due_ > now ? std::min(due_, at) : at;
}

void ReconnectPolicy::attempting() {
    due_ = never;
    ++tries_;
}

int ReconnectPolicy::succeeded(Clock::time_point now) {
    stable_at_ = now + policy_.cap;
    fault_counted_ = false;
    return std::exchange(tries_, 0);
}

void ReconnectPolicy::failed(Clock::time_point now, const Error& e) {
    ++attempt_;
    if (policy_.max_attempts && attempt_ >= *policy_.max_attempts) throw gave_up(e);
    spdlog::debug("reconnect attempt {} failed: {}", attempt_, e.what());
    due_ = now + backoff_.delay(attempt_ + 1);
}

Error ReconnectPolicy::gave_up(const Error& why) const {
    return Error(ErrorKind::connection,
                 "gave up reconnecting to " + where_ + " after " + std::to_string(attempt_) +
                     " attempt(s): " + why.what(),
                 why.hint());
}

bool ReconnectPolicy::wait_until_due() const {
    pollfd fd{util::stop_signal_fd(), POLLIN, 0};
    while (!util::stop_requested()) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(due_ - Clock::now());
        if (left.count() <= 0) return true;
        poll(&fd, 1, static_cast<int>(left.count()));
    }
    return false;
}

std::optional<Connection> reconnect(const config::Settings& settings, const BackoffPolicy& policy,
                                    const std::string& reason) {
    const std::string where = settings.host + ":" + std::to_string(settings.port);
    spdlog::warn("{}; reconnecting", reason);
    ReconnectPolicy retry(policy, where);
    retry.fault(ReconnectPolicy::Clock::now(), Error(ErrorKind::connection, reason));
    for (;;) {
        if (!retry.wait_until_due()) return std::nullopt;
        retry.attempting();
        try {
            // A signal ends a reconnect as it ends the waits between attempts.
            Connection connection =
                Connection::open(settings, Connection::Protocol::resp2, true, true);
            const int tries = retry.succeeded(ReconnectPolicy::Clock::now());
            spdlog::warn("reconnected to {} after {} attempt(s)", where, tries);
            return connection;
        } catch (const Interrupted&) {
            return std::nullopt;
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            retry.failed(ReconnectPolicy::Clock::now(), e);
        }
    }
}

}  // namespace amr::redis
