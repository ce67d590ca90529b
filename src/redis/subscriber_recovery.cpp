// Links of a Subscriber: opening them where the subscriptions live, losing them, and
// subscribing again. One ReconnectPolicy for every fault (a lost connection, a protocol
// error, no confirmation, a subscription the server dropped), and the cluster topology
// found anew where shard channels live.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "redis/link.hpp"
#include "redis/subscriber.hpp"

namespace amr::redis {
namespace {

// Traffic (bytes a second) at which a lost connection was probably closed for overflow:
// the pubsub soft limit's default.
constexpr size_t overflow_hint_rate = 8 * 1024 * 1024;

}  // namespace

Connection Subscriber::open(const config::Settings& s) const {
    // Signed in with a token, a subscribed connection must re-run AUTH: RESP3 allows it.
    return Connection::open(
        s, settings_.token ? Connection::Protocol::resp3_preferred : Connection::Protocol::resp2);
}

Link& Subscriber::link_to(const NodeAddress& node) {
    for (auto& link : links_) {
        if (link->node() == node) return *link;
    }
    return add_link(node, open(cluster_.settings_for(node)));
}

Link& Subscriber::add_link(const NodeAddress& node, Connection connection) {
    const LinkId id = next_link_id_++;
    auto link = std::make_unique<Link>(id, node, std::move(connection), options_.ping_interval,
                                       Clock::now());
    link->describe_awaited([this, id] { return awaited(id); });
    links_.push_back(std::move(link));
    return *links_.back();
}

std::string Subscriber::awaited(LinkId link) const {
    const auto& group = subscriptions_.first_pending(link);
    if (group.empty()) return "a subscription";
    return subscribe_verb(group.front().kind) + std::string(" '") + group.front().name + "'" +
           (group.size() > 1 ? " and " + std::to_string(group.size() - 1) + " more" : "");
}

void Subscriber::send(Link& link, const char* command_verb,
                      const std::vector<Subscription>& group) {
    std::vector<std::string_view> command = {command_verb};
    for (const auto& s : group) command.push_back(s.name);
    link.send(command);
}

void Subscriber::subscribe(Link& link, std::vector<Subscription> group) {
    send(link, subscribe_verb(group.front().kind), group);
    if (subscriptions_.sent(link.id(), std::move(group))) {
        link.await_confirmation(Clock::now() + settings_.connect_timeout);
    }
}

void Subscriber::place(std::vector<Subscription> wanted) {
    // One command per kind, and for shard channels in a cluster per slot (SSUBSCRIBE
    // takes the channels of one slot per call).
    std::map<std::pair<SubscriptionKind, uint16_t>, std::vector<Subscription>> groups;
    for (auto& s : wanted) {
        const uint16_t slot = cluster_.slot_of(s.name);
        groups[{s.kind, slot}].push_back(std::move(s));
    }
    std::optional<Error> failure;
    for (auto& [key, group] : groups) {
        try {
            subscribe(link_to(cluster_.node_for(key.second)), group);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            subscriptions_.make_homeless(std::move(group));
            failure = e;
        }
    }
    if (failure) throw *failure;
}

void Subscriber::lose(size_t index, const Error& why) {
    Link& link = *links_[index];
    const size_t busy = link.traffic().per_second(Clock::now());
    subscriptions_.drop(link.id());
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

void Subscriber::schedule_recovery(const Error& why) {
    retry_.fault(Clock::now(), why);
}

void Subscriber::try_recover() {
    retry_.attempting();
    try {
        if (cluster_.is_cluster()) cluster_.refresh();
        place(subscriptions_.take_homeless());
        const int tries = retry_.succeeded(Clock::now());
        if (recovering_) {
            spdlog::warn("reconnected to {}:{} after {} attempt(s)", settings_.host, settings_.port,
                         tries);
            spdlog::warn("messages published while disconnected are lost; subscribing again");
        }
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::connection) throw;
        retry_.failed(Clock::now(), e);
    }
}

}  // namespace amr::redis
