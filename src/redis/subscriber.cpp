#include "redis/subscriber.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "redis/subscriber_link.hpp"
#include "util/signals.hpp"

namespace amr::redis {
namespace {

int poll_timeout_ms(Clock::time_point until) {
    if (until == never) return -1;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

const char* verb(SubscriptionKind kind) {
    switch (kind) {
        case SubscriptionKind::patterns:
            return "PSUBSCRIBE";
        case SubscriptionKind::shard_channels:
            return "SSUBSCRIBE";
        case SubscriptionKind::channels:
            break;
    }
    return "SUBSCRIBE";
}

const char* noun(SubscriptionKind kind) {
    switch (kind) {
        case SubscriptionKind::patterns:
            return "pattern";
        case SubscriptionKind::shard_channels:
            return "shard channel";
        case SubscriptionKind::channels:
            break;
    }
    return "channel";
}

SubscriptionKind kind_of(const PubSubEvent& e) {
    return e.for_pattern ? SubscriptionKind::patterns
           : e.for_shard ? SubscriptionKind::shard_channels
                         : SubscriptionKind::channels;
}

// Errors after which a shard channel is subscribed again elsewhere, not given up on.
bool is_cluster_churn(std::string_view error) {
    return error.starts_with("MOVED") || error.starts_with("ASK") ||
           error.starts_with("CLUSTERDOWN") || error.starts_with("TRYAGAIN");
}

template <typename T>
bool erase_one(std::vector<T>& v, const T& value) {
    auto it = std::find(v.begin(), v.end(), value);
    if (it == v.end()) return false;
    v.erase(it);
    return true;
}

}  // namespace

Subscriber::Subscriber(config::Settings settings, SubscriberOptions options)
    : settings_(std::move(settings)),
      options_(std::move(options)),
      backoff_(options_.backoff),
      control_fd_(options_.control_fd) {
    for (const auto& name : options_.names) desired_.push_back({options_.kind, name});
}

Subscriber::~Subscriber() = default;

Connection Subscriber::open(const config::Settings& s) const {
    // Signed in with a token, a subscribed connection must re-run AUTH: RESP3 allows it.
    return Connection::open(
        s, settings_.token ? Connection::Protocol::resp3_preferred : Connection::Protocol::resp2);
}

Subscriber::Link& Subscriber::link_to(const NodeAddress& node) {
    for (auto& link : links_) {
        if (link->node == node) return *link;
    }
    return add_link(node, open(topology_ ? node_settings(settings_, node) : settings_));
}

Subscriber::Link& Subscriber::add_link(const NodeAddress& node, Connection connection) {
    auto link = std::make_unique<Link>(node, std::move(connection));
    link->next_ping = Clock::now() + options_.ping_interval;
    link->reader.reset(link->connection);
    links_.push_back(std::move(link));
    return *links_.back();
}

void Subscriber::send(Link& link, const char* command_verb, std::vector<Subscription> group,
                      bool track) {
    std::vector<std::string_view> command = {command_verb};
    for (const auto& s : group) command.push_back(s.name);
    link.connection.append(command);
    link.connection.flush();
    if (!track) return;
    if (link.pending.empty()) link.confirm_due = Clock::now() + settings_.connect_timeout;
    link.pending.push_back(std::move(group));
}

void Subscriber::confirmed_group(Link& link,
                                 std::deque<std::vector<Subscription>>::iterator group) {
    link.pending.erase(group);
    link.confirm_due = link.pending.empty() ? never : Clock::now() + settings_.connect_timeout;
}

void Subscriber::place(std::vector<Subscription> wanted) {
    // One command per kind, and for shard channels in a cluster per slot (SSUBSCRIBE
    // takes the channels of one slot per call).
    std::map<std::pair<SubscriptionKind, uint16_t>, std::vector<Subscription>> groups;
    for (auto& s : wanted) {
        const uint16_t slot = topology_ ? key_slot(s.name) : 0;
        groups[{s.kind, slot}].push_back(std::move(s));
    }
    std::optional<Error> failure;
    for (auto& [key, group] : groups) {
        try {
            const NodeAddress node = topology_ ? topology_->primary_for(key.second)
                                               : NodeAddress{settings_.host, settings_.port};
            send(link_to(node), verb(key.first), group, true);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            homeless_.insert(homeless_.end(), group.begin(), group.end());
            failure = e;
        }
    }
    if (failure) throw *failure;
}

void Subscriber::confirm(Link& link, const PubSubEvent& e) {
    const Subscription s{kind_of(e), std::string(e.channel)};
    // Only what amr asked for counts: a confirmation of anything else must not make amr
    // believe it has subscriptions it has not.
    auto group = std::find_if(link.pending.begin(), link.pending.end(), [&](const auto& g) {
        return std::find(g.begin(), g.end(), s) != g.end();
    });
    if (group == link.pending.end()) {
        if (!link.stray_reported) {
            link.stray_reported = true;
            spdlog::warn("{} confirmed a subscription amr did not ask for ({} '{}'); ignored",
                         link.connection.endpoint(), noun(s.kind), s.name);
        }
        return;
    }
    erase_one(*group, s);
    if (group->empty()) confirmed_group(link, group);
    link.names.push_back(s);
    if (!recovering_) spdlog::info("[+] Subscribed to {}: '{}'", noun(s.kind), s.name);
    size_t total = 0;
    for (const auto& l : links_) total += l->names.size();
    if (total < desired_.size()) return;
    if (confirmed_once_ && recovering_) {
        spdlog::warn("subscribed again to {} channel(s) and pattern(s)", total);
    }
    confirmed_once_ = true;
    recovering_ = false;
}

void Subscriber::forget(Link& link, const PubSubEvent& e) {
    const Subscription s{kind_of(e), std::string(e.channel)};
    if (!erase_one(link.names, s)) return;
    if (std::find(desired_.begin(), desired_.end(), s) == desired_.end()) {
        spdlog::info("[-] Unsubscribed from {}: '{}'", noun(s.kind), s.name);
        return;
    }
    // Still wanted: the server moved a shard channel's slot away, and knows where to.
    homeless_.push_back(s);
    ask_first_ = link.node;
    const std::string why =
        noun(s.kind) + std::string(" '") + s.name + "' left " + link.node.str() +
        (s.kind == SubscriptionKind::shard_channels ? " (failover or slot migration)"
                                                    : " (the server unsubscribed amr)");
    spdlog::warn("{}; subscribing where it lives now", why);
    schedule_recovery(Error(ErrorKind::connection, why));
}

bool Subscriber::handle(Link& link, const Frame& frame, MessageSink& sink) {
    using Kind = PubSubEvent::Kind;
    if (link.auth_pending > 0 && link.pending.empty()) {
        if (frame.type == Frame::Type::simple && frame.text == "OK") {
            --link.auth_pending;
            spdlog::debug("re-authenticated on {} with a fresh token", link.node.str());
            return true;
        }
        if (frame.type == Frame::Type::error) throw reply_error(frame.text, "AUTH");
    }
    const PubSubEvent e = decode_pubsub(frame);
    switch (e.kind) {
        case Kind::message:
        case Kind::pmessage:
        case Kind::smessage:
            return sink.on_message(e);
        case Kind::subscribed:
            confirm(link, e);
            break;
        case Kind::unsubscribed:
            forget(link, e);
            break;
        case Kind::error:
            if (topology_ && is_cluster_churn(e.payload) && !link.pending.empty()) {
                auto group = std::move(link.pending.front());
                confirmed_group(link, link.pending.begin());
                spdlog::warn("{} on {}: finding where its channels live now", e.payload,
                             link.node.str());
                Error why(ErrorKind::connection, std::string(e.payload) + " on " + link.node.str());
                try {
                    if (auto redirect =
                            parse_redirect(e.payload, settings_.host, link.node.str())) {
                        ask_first_ = redirect->target;
                    }
                } catch (const Error& lying) {
                    // A redirect out of range: no hint, the topology tells where they live.
                    why = lying;
                }
                homeless_.insert(homeless_.end(), group.begin(), group.end());
                schedule_recovery(why);
                break;
            }
            throw reply_error(e.payload, verb(options_.kind));
        default:
            break;
    }
    return true;
}

Clock::time_point Subscriber::next_timer(Deadline deadline) const {
    Clock::time_point t = deadline.value_or(never);
    if (!homeless_.empty()) t = std::min(t, recover_at_);
    if (settings_.token && settings_.token->refresh_at()) {
        t = std::min(t, Clock::now() +
                            std::chrono::ceil<std::chrono::milliseconds>(
                                *settings_.token->refresh_at() - std::chrono::system_clock::now()));
    }
    for (const auto& link : links_) {
        t = std::min(
            {t, link->pong_due != never ? link->pong_due : link->next_ping, link->confirm_due});
    }
    return t;
}

void Subscriber::check_pings() {
    const auto now = Clock::now();
    for (size_t i = 0; i < links_.size(); ++i) {
        Link& link = *links_[i];
        if (now >= link.confirm_due) {
            const auto& group = link.pending.front();
            lose(i,
                 Error(ErrorKind::connection,
                       link.connection.endpoint() + " did not confirm " + verb(group.front().kind) +
                           " '" + group.front().name + "'" +
                           (group.size() > 1 ? " and " + std::to_string(group.size() - 1) + " more"
                                             : "") +
                           " within " + std::to_string(settings_.connect_timeout.count()) +
                           " ms (--connect-timeout)"));
            return;
        }
        if (link.pong_due != never && now >= link.pong_due) {
            lose(i, Error(ErrorKind::connection,
                          "no reply to PING from " + link.connection.endpoint() + " within " +
                              std::to_string(settings_.connect_timeout.count()) + " ms"));
            return;  // the loop comes back for the others
        }
        if (link.pong_due == never && now >= link.next_ping) {
            spdlog::debug("idle for {} ms: PING {}", options_.ping_interval.count(),
                          link.node.str());
            try {
                link.connection.append({"PING"});
                link.connection.flush();
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::connection) throw;
                lose(i, e);
                return;
            }
            link.pong_due = now + settings_.connect_timeout;
        }
    }
}

void Subscriber::reauthenticate() {
    const std::string& token = settings_.token->refresh();
    spdlog::debug("re-authenticating {} connection(s) with a fresh token", links_.size());
    for (size_t i = links_.size(); i-- > 0;) {
        Link& link = *links_[i];
        if (!link.connection.resp3()) {
            lose(i, Error(ErrorKind::connection,
                          link.connection.endpoint() +
                              " has no RESP3, so AUTH is refused while subscribed: connecting "
                              "again to sign in with the fresh token"));
            continue;
        }
        try {
            link.connection.send_auth(token);
            ++link.auth_pending;
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            lose(i, e);
        }
    }
}

StopReason Subscriber::run(Deadline deadline, MessageSink& sink) {
    {
        Connection seed = open(settings_);
        if (options_.kind == SubscriptionKind::shard_channels) {
            topology_ = discover_topology(seed, settings_.host);
            if (!topology_ && options_.cluster == ClusterMode::force) {
                throw Error(ErrorKind::failure,
                            "--cluster: " + seed.endpoint() +
                                " is not a Redis Cluster (CLUSTER SLOTS refused)");
            }
        }
        if (!topology_) {
            add_link({settings_.host, settings_.port}, std::move(seed));
        }
    }
    place(desired_);
    stable_at_ = Clock::now() + options_.backoff.cap;

    const int stop_fd = util::stop_signal_fd();
    std::vector<pollfd> fds;
    Frame frame;
    for (;;) {
        // Hand on every whole frame already read.
        for (size_t i = links_.size(); i-- > 0;) {
            Link& link = *links_[i];
            bool traffic = false;
            bool lost = false;
            for (;;) {
                try {
                    if (!link.reader.next(frame)) break;
                } catch (const Error& e) {
                    // Not RESP, or over a limit: the connection cannot go on.
                    if (e.kind() != ErrorKind::connection) throw;
                    lose(i, e);
                    lost = true;
                    break;
                }
                traffic = true;
                if (!handle(link, frame, sink)) return StopReason::done;
            }
            if (traffic && !lost) {
                link.pong_due = never;
                link.next_ping = Clock::now() + options_.ping_interval;
            }
        }
        sink.on_idle();
        if (util::stop_requested()) return StopReason::signal;
        if (!homeless_.empty() && Clock::now() >= recover_at_) {
            try_recover();
            continue;
        }
        check_pings();
        if (settings_.token && settings_.token->due()) reauthenticate();

        bool tls_ready = false;
        fds.clear();
        for (auto& link : links_) {
            fds.push_back({link->connection.fd(), POLLIN, 0});
            tls_ready = tls_ready || link->connection.tls_pending();
        }
        fds.push_back({control_fd_, POLLIN, 0});  // poll() skips a negative fd
        fds.push_back({stop_fd, POLLIN, 0});
        const Deadline idle = sink.idle_deadline();
        const auto timer = std::min(next_timer(deadline), idle.value_or(never));
        int n = poll(fds.data(), fds.size(), tls_ready ? 0 : poll_timeout_ms(timer));
        if (n < 0 && errno != EINTR) throw Error(ErrorKind::failure, "poll failed");
        if (fds.back().revents) return StopReason::signal;
        const auto woke = Clock::now();
        if (deadline && woke >= *deadline) return StopReason::deadline;
        if (idle && woke >= *idle) return StopReason::idle;
        if (fds[links_.size()].revents) read_control();
        for (size_t i = links_.size(); i-- > 0;) {
            Link& link = *links_[i];
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
                !link.connection.tls_pending()) {
                continue;
            }
            try {
                link.traffic.add(link.reader.read_from(link.connection), woke);
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::connection) throw;
                lose(i, e);
            }
        }
    }
}

}  // namespace amr::redis
