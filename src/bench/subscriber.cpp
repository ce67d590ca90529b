#include "bench/subscriber.hpp"

#include <spdlog/spdlog.h>

#include "redis/pubsub_event.hpp"

namespace amr::bench {
namespace {

constexpr std::chrono::milliseconds ping_interval{30000};

}  // namespace

BenchSubscriber::BenchSubscriber(uint32_t id, redis::SubscriptionKind kind, ReceiverShape shape,
                                 std::vector<Group> groups, const redis::BackoffPolicy& backoff,
                                 SubscriberEvents& events)
    : id_(id), kind_(kind), receiver_(std::move(shape)), events_(events) {
    for (auto& g : groups) {
        Slot slot;
        slot.policy = std::make_unique<redis::ReconnectPolicy>(backoff, g.node.str());
        slot.group = std::move(g);
        slots_.push_back(std::move(slot));
    }
}

void BenchSubscriber::open(Slot& slot, Clock::time_point now) {
    auto connection = redis::Connection::open(slot.group.settings);
    slot.link = std::make_unique<redis::Link>(next_link_id_++, slot.group.node,
                                              std::move(connection), ping_interval, now);
    slot.confirmed = 0;
    std::vector<std::string_view> command{redis::subscribe_verb(kind_)};
    for (const auto& name : slot.group.names) command.push_back(name);
    if (kind_ == redis::SubscriptionKind::shard_channels) {
        // Shard channels of different slots cannot share one SSUBSCRIBE (CROSSSLOT).
        for (const auto& name : slot.group.names) slot.link->send({command[0], name});
    } else {
        slot.link->send(command);
    }
    slot.link->await_confirmation(now + slot.group.settings.connect_timeout);
}

void BenchSubscriber::connect(Clock::time_point now) {
    for (auto& slot : slots_) {
        open(slot, now);
        slot.policy->started(now);
    }
}

void BenchSubscriber::collect(std::vector<redis::Pollable*>& out) {
    for (auto& slot : slots_) {
        if (slot.link) out.push_back(slot.link.get());
    }
}

Clock::time_point BenchSubscriber::next_timer() const {
    auto t = Clock::time_point::max();
    for (const auto& slot : slots_) {
        t = std::min(t, slot.link ? slot.link->next_timer() : slot.policy->due());
    }
    return t;
}

void BenchSubscriber::handle(Slot& slot, const redis::Frame& frame, uint64_t now_ns) {
    const redis::PubSubEvent e = redis::decode_pubsub(frame);
    using Kind = redis::PubSubEvent::Kind;
    switch (e.kind) {
        case Kind::message:
        case Kind::pmessage:
        case Kind::smessage:
            receiver_.on_payload(e.payload, now_ns);
            return;
        case Kind::subscribed:
            if (++slot.confirmed == slot.group.names.size()) {
                slot.link->await_confirmation(redis::Link::never);
                if (!slot.counted) {
                    slot.counted = true;
                    ++events_.confirmed;
                }
            }
            return;
        case Kind::unsubscribed:
            throw Error(ErrorKind::connection,
                        slot.link->endpoint() + " ended a subscription (a slot moved?)");
        case Kind::error:
            throw redis::reply_error(e.payload, redis::subscribe_verb(kind_));
        default:
            return;  // pongs
    }
}

void BenchSubscriber::on_readable(redis::Pollable* pollable, Clock::time_point now,
                                  const RunClock& clock) {
    for (auto& slot : slots_) {
        if (slot.link.get() != pollable) continue;
        try {
            slot.link->on_readable(now);
            // The arrival time after the read, not the loop's `now` from before it: a
            // publisher on another thread may have stamped and sent a message in between,
            // which would then look sent after it arrived (and be rejected as not ours).
            const uint64_t now_ns = clock.ns(Clock::now());
            redis::Frame frame;
            while (slot.link->next(frame)) handle(slot, frame, now_ns);
            slot.link->after_frames();
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            lose(slot, e, now);
        }
        return;
    }
}

void BenchSubscriber::lose(Slot& slot, const Error& why, Clock::time_point now) {
    ++events_.disconnects;
    const bool busy = slot.link->traffic().per_second(now) > 0;
    const bool by_server =
        std::string_view(why.what()).find("closed the connection") != std::string_view::npos;
    if (busy && by_server) ++events_.busy_closes;
    spdlog::warn("subscriber {}: {}{}; reconnecting", id_, why.what(),
                 busy && by_server ? " while messages were arriving (the server's "
                                     "client-output-buffer-limit for pubsub?)"
                                   : "");
    slot.link.reset();
    slot.policy->fault(now, why);
}

void BenchSubscriber::on_timer(Clock::time_point now) {
    for (auto& slot : slots_) {
        if (slot.link) {
            if (slot.link->next_timer() > now) continue;
            try {
                slot.link->on_timer(now);
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::connection) throw;
                lose(slot, e, now);
            }
        } else if (slot.policy->due() <= now) {
            slot.policy->attempting();
            try {
                open(slot, now);
                const int attempts = slot.policy->succeeded(now);
                spdlog::info("subscriber {}: reconnected to {} after {} attempt(s)", id_,
                             slot.group.node.str(), attempts);
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::connection) throw;
                slot.link.reset();
                slot.policy->failed(now, e);
            }
        }
    }
}

}  // namespace amr::bench
