// The Subscriber's loop: frames from every link to the sink, the servers' answers into
// the SubscriptionSet, timers (pings, confirmations, recovery, token refresh), and the
// control stream.
#include "redis/subscriber.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "redis/link.hpp"
#include "redis/pollable.hpp"
#include "util/signals.hpp"

namespace amr::redis {
namespace {

constexpr Clock::time_point never = Clock::time_point::max();

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

// The subscriptions the options ask for, as given (a name given twice is asked for twice,
// and the server confirms it twice).
std::vector<Subscription> wanted(const SubscriberOptions& options) {
    std::vector<Subscription> all;
    for (const auto& name : options.names) all.push_back({options.kind, name});
    return all;
}

}  // namespace

Subscriber::Subscriber(config::Settings settings, SubscriberOptions options)
    : settings_(std::move(settings)),
      options_(std::move(options)),
      subscriptions_(wanted(options_)),
      cluster_(settings_),
      retry_(options_.backoff, settings_.host + ":" + std::to_string(settings_.port)),
      control_fd_(options_.control_fd) {}

Subscriber::~Subscriber() = default;

bool Subscriber::confirm(Link& link, const PubSubEvent& e) {
    const Subscription s{kind_of(e), std::string(e.channel)};
    const auto c = subscriptions_.confirm(link.id(), s);
    if (c.stray) {
        if (c.report) {
            spdlog::warn("{} confirmed a subscription amr did not ask for ({} '{}'); ignored",
                         link.endpoint(), subscription_noun(s.kind), s.name);
        }
        return false;
    }
    if (c.group_done) {
        link.await_confirmation(c.more_pending ? Clock::now() + settings_.connect_timeout : never);
    }
    if (!recovering_) {
        spdlog::info("[+] Subscribed to {}: '{}'", subscription_noun(s.kind), s.name);
    }
    if (!c.complete) return false;
    if (confirmed_once_ && recovering_) {
        spdlog::warn("subscribed again to {} channel(s) and pattern(s)",
                     subscriptions_.confirmed());
    }
    const bool first = !confirmed_once_;
    confirmed_once_ = true;
    recovering_ = false;
    return first;
}

void Subscriber::forget(Link& link, const PubSubEvent& e) {
    const Subscription s{kind_of(e), std::string(e.channel)};
    switch (subscriptions_.forget(link.id(), s)) {
        case SubscriptionSet::Forgotten::unknown:
            return;
        case SubscriptionSet::Forgotten::unsubscribed:
            spdlog::info("[-] Unsubscribed from {}: '{}'", subscription_noun(s.kind), s.name);
            return;
        case SubscriptionSet::Forgotten::homeless:
            break;
    }
    // Still wanted: the server moved a shard channel's slot away, and knows where to.
    cluster_.ask_first(link.node());
    const std::string why =
        subscription_noun(s.kind) + std::string(" '") + s.name + "' left " + link.node().str() +
        (s.kind == SubscriptionKind::shard_channels ? " (failover or slot migration)"
                                                    : " (the server unsubscribed amr)");
    spdlog::warn("{}; subscribing where it lives now", why);
    schedule_recovery(Error(ErrorKind::connection, why));
}

void Subscriber::refused(Link& link, std::string_view error) {
    const bool more = subscriptions_.refuse_first(link.id());
    link.await_confirmation(more ? Clock::now() + settings_.connect_timeout : never);
    spdlog::warn("{} on {}: finding where its channels live now", error, link.node().str());
    Error why(ErrorKind::connection, std::string(error) + " on " + link.node().str());
    try {
        cluster_.note_redirect(error, link.node().str());
    } catch (const Error& lying) {
        // A redirect out of range: no hint, the topology tells where they live.
        why = lying;
    }
    schedule_recovery(why);
}

bool Subscriber::handle(Link& link, const Frame& frame, MessageSink& sink) {
    using Kind = PubSubEvent::Kind;
    if (link.auth_pending() > 0 && !subscriptions_.has_pending(link.id()) &&
        link.take_auth_reply(frame)) {
        return true;
    }
    const PubSubEvent e = decode_pubsub(frame);
    switch (e.kind) {
        case Kind::message:
        case Kind::pmessage:
        case Kind::smessage:
            return sink.on_message(e);
        case Kind::subscribed:
            if (confirm(link, e)) return sink.on_subscribed();
            break;
        case Kind::unsubscribed:
            forget(link, e);
            break;
        case Kind::error:
            if (cluster_.is_cluster() && is_cluster_churn(e.payload) &&
                subscriptions_.has_pending(link.id())) {
                refused(link, e.payload);
                break;
            }
            throw reply_error(e.payload, subscribe_verb(options_.kind));
        default:
            break;
    }
    return true;
}

Clock::time_point Subscriber::next_timer(Deadline deadline) const {
    Clock::time_point t = deadline.value_or(never);
    if (subscriptions_.has_homeless()) t = std::min(t, retry_.due());
    if (settings_.token && settings_.token->refresh_at()) {
        t = std::min(t, Clock::now() +
                            std::chrono::ceil<std::chrono::milliseconds>(
                                *settings_.token->refresh_at() - std::chrono::system_clock::now()));
    }
    for (const auto& link : links_) t = std::min(t, link->next_timer());
    return t;
}

void Subscriber::check_timers() {
    const auto now = Clock::now();
    for (size_t i = 0; i < links_.size(); ++i) {
        try {
            links_[i]->on_timer(now);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            lose(i, e);
            return;  // the loop comes back for the others
        }
    }
}

void Subscriber::reauthenticate() {
    const std::string& token = settings_.token->refresh();
    spdlog::debug("re-authenticating {} connection(s) with a fresh token", links_.size());
    for (size_t i = links_.size(); i-- > 0;) {
        Link& link = *links_[i];
        if (!link.connection().resp3()) {
            lose(i, Error(ErrorKind::connection,
                          link.endpoint() +
                              " has no RESP3, so AUTH is refused while subscribed: connecting "
                              "again to sign in with the fresh token"));
            continue;
        }
        try {
            link.send_auth(token);
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
            cluster_.discover(seed, options_.cluster);
        }
        if (!cluster_.is_cluster()) add_link(cluster_.seed_node(), std::move(seed));
    }
    place(subscriptions_.desired());
    retry_.started(Clock::now());

    const int stop_fd = util::stop_signal_fd();
    PollSet fds;
    Frame frame;
    for (;;) {
        // Hand on every whole frame already read.
        for (size_t i = links_.size(); i-- > 0;) {
            Link& link = *links_[i];
            bool lost = false;
            for (;;) {
                try {
                    if (!link.next(frame)) break;
                } catch (const Error& e) {
                    // Not RESP, or over a limit: the connection cannot go on.
                    if (e.kind() != ErrorKind::connection) throw;
                    lose(i, e);
                    lost = true;
                    break;
                }
                if (!handle(link, frame, sink)) return StopReason::done;
            }
            if (!lost) link.after_frames();
        }
        sink.on_idle();
        if (util::stop_requested()) return StopReason::signal;
        if (subscriptions_.has_homeless() && Clock::now() >= retry_.due()) {
            try_recover();
            continue;
        }
        check_timers();
        if (settings_.token && settings_.token->due()) reauthenticate();

        bool tls_ready = false;
        fds.clear();
        for (auto& link : links_) {
            fds.add(link->fd(), link->events());
            tls_ready = tls_ready || link->readable_without_poll();
        }
        const size_t control = fds.add(control_fd_, POLLIN);  // poll() skips a negative fd
        const size_t stop = fds.add(stop_fd, POLLIN);
        const Deadline idle = sink.idle_deadline();
        fds.wait(std::min(next_timer(deadline), idle.value_or(never)), tls_ready);
        if (fds.revents(stop)) return StopReason::signal;
        const auto woke = Clock::now();
        if (deadline && woke >= *deadline) return StopReason::deadline;
        if (idle && woke >= *idle) return StopReason::idle;
        if (fds.revents(control)) read_control();
        for (size_t i = links_.size(); i-- > 0;) {
            Link& link = *links_[i];
            if (!fds.readable(i) && !link.readable_without_poll()) continue;
            try {
                link.on_readable(woke);
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::connection) throw;
                lose(i, e);
            }
        }
    }
}

}  // namespace amr::redis
