// Losing a subscribed connection and subscribing again: one backoff for every fault
// (a lost connection, a protocol error, no confirmation, a subscription the server
// dropped), and the cluster topology found anew where shard channels live.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "redis/subscriber.hpp"
#include "redis/subscriber_link.hpp"

namespace amr::redis {
namespace {

// Traffic (bytes a second) at which a lost connection was probably closed for overflow:
// the pubsub soft limit's default.
constexpr size_t overflow_hint_rate = 8 * 1024 * 1024;

}  // namespace

void Subscriber::refresh_topology() {
    const NodeAddress seed{settings_.host, settings_.port};
    std::vector<NodeAddress> candidates;
    auto add = [&](const NodeAddress& node) {
        if (std::find(candidates.begin(), candidates.end(), node) == candidates.end())
            candidates.push_back(node);
    };
    if (ask_first_) add(*std::exchange(ask_first_, std::nullopt));
    add(seed);
    if (topology_) {
        for (const auto& node : topology_->all_nodes()) add(node);
    }
    std::optional<Error> failure;
    for (const auto& node : candidates) {
        try {
            Connection c =
                Connection::open(node == seed ? settings_ : node_settings(settings_, node));
            if (auto t = discover_topology(c, settings_.host)) {
                topology_ = std::move(t);
                return;
            }
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            failure = e;
        }
    }
    if (failure) throw *failure;
}

void Subscriber::lose(size_t index, const Error& why) {
    Link& link = *links_[index];
    const size_t busy = link.traffic.per_second(Clock::now());
    auto keep = [&](const Subscription& s) {
        if (std::find(desired_.begin(), desired_.end(), s) != desired_.end())
            homeless_.push_back(s);
    };
    for (const auto& s : link.names) keep(s);
    for (const auto& group : link.pending) {
        for (const auto& s : group) keep(s);
    }
    links_.erase(links_.begin() + static_cast<std::ptrdiff_t>(index));
    if (options_.reconnect) spdlog::warn("{}; reconnecting", why.what());
    if (busy >= overflow_hint_rate && !overflow_explained_) {
        overflow_explained_ = true;
        spdlog::warn(
            "messages were arriving at {} MB/s: the server probably closed the connection for "
            "holding more unsent messages than its client-output-buffer-limit for pubsub (32 MB "
            "by default); Redis writes at most 64 KiB to a connection per turn of its event "
            "loop, so publishers faster than that overflow any subscriber (man amr, LIMITS)",
            busy / 1000000);
    }
    if (!options_.reconnect) throw why;
    recovering_ = true;
    schedule_recovery(why);
}

Error Subscriber::gave_up(const Error& why) const {
    return Error(ErrorKind::connection,
                 "gave up reconnecting to " + settings_.host + ":" +
                     std::to_string(settings_.port) + " after " + std::to_string(attempt_) +
                     " attempt(s): " + why.what(),
                 why.hint());
}

// A fault soon after the last recovery means that recovery did not hold: it counts as a
// failed attempt (once), so a server that fails every connection the same way (garbage,
// no confirmation, dropping the subscription again) is retried ever more slowly, and
// --reconnect-max gives up on it. After a while without faults, backoff starts over.
void Subscriber::schedule_recovery(const Error& why) {
    const auto now = Clock::now();
    if (now >= stable_at_) {
        attempt_ = 0;
    } else if (!fault_counted_) {
        fault_counted_ = true;
        ++attempt_;
        if (options_.backoff.max_attempts && attempt_ >= *options_.backoff.max_attempts) {
            throw gave_up(why);
        }
    }
    // A time already past belongs to a recovery that had nothing to do.
    const auto at = now + backoff_.delay(attempt_ + 1);
    recover_at_ = recover_at_ > now ? std::min(recover_at_, at) : at;
}

void Subscriber::try_recover() {
    recover_at_ = never;
    ++tries_;
    try {
        if (topology_) refresh_topology();
        place(std::exchange(homeless_, {}));
        const int tries = std::exchange(tries_, 0);
        if (recovering_) {
            spdlog::warn("reconnected to {}:{} after {} attempt(s)", settings_.host, settings_.port,
                         tries);
            spdlog::warn("messages published while disconnected are lost; subscribing again");
        }
        stable_at_ = Clock::now() + options_.backoff.cap;
        fault_counted_ = false;
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::connection) throw;
        ++attempt_;
        if (options_.backoff.max_attempts && attempt_ >= *options_.backoff.max_attempts) {
            throw gave_up(e);
        }
        spdlog::debug("reconnect attempt {} failed: {}", attempt_, e.what());
        recover_at_ = Clock::now() + backoff_.delay(attempt_ + 1);
    }
}

}  // namespace amr::redis
