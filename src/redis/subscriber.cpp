#include "redis/subscriber.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "util/signals.hpp"

namespace amr::redis {
namespace {

constexpr auto never = Clock::time_point::max();

int poll_timeout_ms(Clock::time_point until) {
    if (until == never) return -1;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

long long to_integer(std::string_view text) {
    long long value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') break;
        value = value * 10 + (c - '0');
    }
    return value;
}

const char* verb(SubscriptionKind kind) {
    switch (kind) {
        case SubscriptionKind::patterns: return "PSUBSCRIBE";
        case SubscriptionKind::shard_channels: return "SSUBSCRIBE";
        case SubscriptionKind::channels: break;
    }
    return "SUBSCRIBE";
}

const char* noun(SubscriptionKind kind) {
    switch (kind) {
        case SubscriptionKind::patterns: return "pattern";
        case SubscriptionKind::shard_channels: return "shard channel";
        case SubscriptionKind::channels: break;
    }
    return "channel";
}

// Errors after which a shard channel is subscribed again elsewhere, not given up on.
bool is_cluster_churn(std::string_view error) {
    return error.starts_with("MOVED") || error.starts_with("ASK") ||
           error.starts_with("CLUSTERDOWN") || error.starts_with("TRYAGAIN");
}

}  // namespace

struct Subscriber::Link {
    NodeAddress node;
    Connection connection;
    PushReader reader;
    std::deque<std::vector<std::string>> pending;  // sent, not all confirmed yet
    std::vector<std::string> names;                // confirmed on this connection
    Clock::time_point next_ping = never;
    Clock::time_point pong_due = never;
    int auth_pending = 0;  // AUTHs sent with a fresh token, not answered yet
};

PubSubEvent decode_pubsub(const Frame& f) {
    using Kind = PubSubEvent::Kind;
    PubSubEvent e;
    if (f.type == Frame::Type::error) {
        e.kind = Kind::error;
        e.payload = f.text;
        return e;
    }
    if (f.type != Frame::Type::array || f.count < 2) return e;
    const std::string_view kind = f.items[0];
    if ((kind == "message" || kind == "smessage") && f.count == 3) {
        e.kind = kind == "message" ? Kind::message : Kind::smessage;
        e.channel = f.items[1];
        e.payload = f.items[2];
    } else if (kind == "pmessage" && f.count == 4) {
        e.kind = Kind::pmessage;
        e.pattern = f.items[1];
        e.channel = f.items[2];
        e.payload = f.items[3];
    } else if ((kind == "subscribe" || kind == "psubscribe" || kind == "ssubscribe") &&
               f.count == 3) {
        e.kind = Kind::subscribed;
    } else if ((kind == "unsubscribe" || kind == "punsubscribe" || kind == "sunsubscribe") &&
               f.count == 3) {
        e.kind = Kind::unsubscribed;
    } else if (kind == "pong") {
        e.kind = Kind::pong;
    }
    if (e.kind == Kind::subscribed || e.kind == Kind::unsubscribed) {
        e.for_pattern = kind[0] == 'p';
        e.for_shard = kind[0] == 's';
        e.channel = f.items[1];
        e.count = to_integer(f.items[2]);
    }
    return e;
}

Subscriber::Subscriber(config::Settings settings, SubscriberOptions options)
    : settings_(std::move(settings)), options_(std::move(options)), backoff_(options_.backoff) {}

Subscriber::~Subscriber() = default;

Connection Subscriber::open(const config::Settings& s) const {
    // Signed in with a token, a subscribed connection must re-run AUTH: RESP3 allows it.
    return Connection::open(s, settings_.token ? Connection::Protocol::resp3_preferred
                                               : Connection::Protocol::resp2);
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

Subscriber::Link& Subscriber::link_to(const NodeAddress& node) {
    for (auto& link : links_) {
        if (link->node == node) return *link;
    }
    config::Settings s = topology_ ? node_settings(settings_, node) : settings_;
    auto link = std::make_unique<Link>(Link{node, open(s), {}, {}, {}, never, never, 0});
    link->next_ping = Clock::now() + options_.ping_interval;
    links_.push_back(std::move(link));
    return *links_.back();
}

void Subscriber::send_subscribe(Link& link, std::vector<std::string> names) {
    std::vector<std::string_view> command = {verb(options_.kind)};
    command.insert(command.end(), names.begin(), names.end());
    link.connection.append(command);
    link.connection.flush();
    if (link.pending.empty() && link.names.empty()) link.reader.reset(link.connection.take_unparsed());
    link.pending.push_back(std::move(names));
}

void Subscriber::place(std::vector<std::string> names) {
    // Plain servers, and channels and patterns in a cluster: one connection to the host.
    std::map<uint16_t, std::vector<std::string>> groups;
    if (!topology_) {
        groups[0] = std::move(names);
    } else {
        // SSUBSCRIBE takes the channels of one slot per call.
        for (auto& name : names) groups[key_slot(name)].push_back(std::move(name));
    }
    std::optional<Error> failure;
    for (auto& [slot, group] : groups) {
        try {
            const NodeAddress node =
                topology_ ? topology_->primary_for(slot) : NodeAddress{settings_.host, settings_.port};
            send_subscribe(link_to(node), group);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            homeless_.insert(homeless_.end(), group.begin(), group.end());
            failure = e;
        }
    }
    if (failure) throw *failure;
}

void Subscriber::refresh_topology() {
    std::vector<NodeAddress> candidates = {{settings_.host, settings_.port}};
    if (topology_) {
        for (const auto& node : topology_->all_nodes()) candidates.push_back(node);
    }
    std::optional<Error> failure;
    for (const auto& node : candidates) {
        try {
            Connection c = Connection::open(candidates.front() == node ? settings_
                                                                       : node_settings(settings_, node));
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
    homeless_.insert(homeless_.end(), link.names.begin(), link.names.end());
    for (auto& group : link.pending) homeless_.insert(homeless_.end(), group.begin(), group.end());
    links_.erase(links_.begin() + static_cast<std::ptrdiff_t>(index));
    if (!options_.reconnect) throw why;
    spdlog::warn("{}; reconnecting", why.what());
    recovering_ = true;
    if (recover_at_ == never) recover_at_ = Clock::now() + backoff_.delay(attempt_ + 1);
}

void Subscriber::try_recover() {
    recover_at_ = never;
    try {
        if (topology_) refresh_topology();
        place(std::exchange(homeless_, {}));
        if (recovering_) {
            spdlog::warn("reconnected to {}:{} after {} attempt(s)", settings_.host, settings_.port,
                         attempt_ + 1);
            spdlog::warn("messages published while disconnected are lost; subscribing again");
        }
        attempt_ = 0;
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::connection) throw;
        ++attempt_;
        if (options_.backoff.max_attempts && attempt_ >= *options_.backoff.max_attempts) {
            throw Error(ErrorKind::connection,
                        "gave up reconnecting to " + settings_.host + ":" +
                            std::to_string(settings_.port) + " after " + std::to_string(attempt_) +
                            " attempt(s): " + e.what(),
                        e.hint());
        }
        spdlog::debug("reconnect attempt {} failed: {}", attempt_, e.what());
        recover_at_ = Clock::now() + backoff_.delay(attempt_ + 1);
    }
}

void Subscriber::confirm(Link& link, const PubSubEvent& e) {
    if (!link.pending.empty()) {
        auto& group = link.pending.front();
        auto it = std::find(group.begin(), group.end(), e.channel);
        if (it != group.end()) group.erase(it);
        if (group.empty()) link.pending.pop_front();
    }
    link.names.emplace_back(e.channel);
    if (!confirmed_once_) {
        spdlog::info("[+] Subscribed to {}: '{}'", noun(options_.kind), e.channel);
    }
    size_t total = 0;
    for (const auto& l : links_) total += l->names.size();
    if (total < options_.names.size()) return;
    if (confirmed_once_ && recovering_) {
        spdlog::warn("subscribed again to {} {}(s)", total, noun(options_.kind));
    }
    confirmed_once_ = true;
    recovering_ = false;
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
        case Kind::smessage: return sink.on_message(e);
        case Kind::subscribed: confirm(link, e); break;
        case Kind::unsubscribed:
            // amr never unsubscribes: the server moved a shard channel's slot away.
            if (e.for_shard) {
                auto it = std::find(link.names.begin(), link.names.end(), e.channel);
                if (it != link.names.end()) link.names.erase(it);
                homeless_.emplace_back(e.channel);
                spdlog::warn("shard channel '{}' left {} (failover or slot migration); "
                             "subscribing where it lives now",
                             e.channel, link.node.str());
                recover_at_ = Clock::now();
            }
            break;
        case Kind::error:
            if (topology_ && is_cluster_churn(e.payload) && !link.pending.empty()) {
                auto group = std::move(link.pending.front());
                link.pending.pop_front();
                spdlog::warn("{} on {}: finding where its channels live now", e.payload,
                             link.node.str());
                homeless_.insert(homeless_.end(), group.begin(), group.end());
                recover_at_ = Clock::now();
                break;
            }
            throw reply_error(e.payload, verb(options_.kind));
        default: break;
    }
    return true;
}

Clock::time_point Subscriber::next_timer(Deadline deadline) const {
    Clock::time_point t = deadline.value_or(never);
    if (!homeless_.empty()) t = std::min(t, recover_at_);
    if (settings_.token && settings_.token->refresh_at()) {
        t = std::min(t, Clock::now() + std::chrono::ceil<std::chrono::milliseconds>(
                                           *settings_.token->refresh_at() -
                                           std::chrono::system_clock::now()));
    }
    for (const auto& link : links_) {
        t = std::min(t, link->pong_due != never ? link->pong_due : link->next_ping);
    }
    return t;
}

void Subscriber::check_pings() {
    const auto now = Clock::now();
    for (size_t i = 0; i < links_.size(); ++i) {
        Link& link = *links_[i];
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

StopReason Subscriber::run(Deadline deadline, MessageSink& sink) {
    {
        Connection seed = open(settings_);
        if (options_.kind == SubscriptionKind::shard_channels) {
            topology_ = discover_topology(seed, settings_.host);
            if (!topology_ && options_.cluster == ClusterMode::force) {
                throw Error(ErrorKind::failure, "--cluster: " + seed.endpoint() +
                                                    " is not a Redis Cluster (CLUSTER SLOTS refused)");
            }
        }
        if (!topology_) {
            NodeAddress node{settings_.host, settings_.port};
            links_.push_back(std::make_unique<Link>(Link{
                node, std::move(seed), {}, {}, {}, Clock::now() + options_.ping_interval, never, 0}));
        }
    }
    place(options_.names);

    const int stop_fd = util::stop_signal_fd();
    std::vector<pollfd> fds;
    Frame frame;
    for (;;) {
        // Hand on every whole frame already read.
        for (auto& link : links_) {
            bool traffic = false;
            while (link->reader.next(frame)) {
                traffic = true;
                if (!handle(*link, frame, sink)) return StopReason::done;
            }
            if (traffic) {
                link->pong_due = never;
                link->next_ping = Clock::now() + options_.ping_interval;
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
        fds.push_back({stop_fd, POLLIN, 0});
        const auto timer = next_timer(deadline);
        int n = poll(fds.data(), fds.size(), tls_ready ? 0 : poll_timeout_ms(timer));
        if (n < 0 && errno != EINTR) throw Error(ErrorKind::failure, "poll failed");
        if (fds.back().revents) return StopReason::signal;
        if (deadline && Clock::now() >= *deadline) return StopReason::deadline;
        for (size_t i = links_.size(); i-- > 0;) {
            Link& link = *links_[i];
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)) && !link.connection.tls_pending()) {
                continue;
            }
            try {
                link.reader.read_from(link.connection);
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::connection) throw;
                lose(i, e);
            }
        }
    }
}

}  // namespace amr::redis
