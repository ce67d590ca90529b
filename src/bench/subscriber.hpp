// The subscribing side of amr bench: one --subscribers connection (in a cluster with
// --sharded, one per shard its channels live on), each a redis::Link driven by the
// thread's poll loop, its payloads handed to the subscriber's Receiver. A lost link is
// counted as a disconnect (named when the server closed it for its pubsub output-buffer
// limit, see engine.cpp) and reconnected by the one ReconnectPolicy; the messages missed
// meanwhile show as gaps.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "bench/publisher.hpp"
#include "bench/receiver.hpp"
#include "config/settings.hpp"
#include "redis/link.hpp"
#include "redis/reconnect_policy.hpp"
#include "redis/subscription_set.hpp"

namespace amr::bench {

// Counts shared with the thread that prints progress.
struct SubscriberEvents {
    std::atomic<uint64_t> confirmed{0};  // links whose subscriptions were all confirmed once
    std::atomic<uint64_t> disconnects{0};
    std::atomic<uint64_t> busy_closes{0};  // closed by the server while messages came
};

class BenchSubscriber {
  public:
    struct Group {
        redis::NodeAddress node;
        config::Settings settings;
        std::vector<std::string> names;  // channels, or patterns with --pattern
    };

    BenchSubscriber(uint32_t id, redis::SubscriptionKind kind, ReceiverShape shape,
                    std::vector<Group> groups, const redis::BackoffPolicy& backoff,
                    SubscriberEvents& events);

    // Connects and subscribes every group (blocking; errors are thrown as they are).
    void connect(Clock::time_point now);
    // Links to poll (the connected ones) and reconnections due.
    void collect(std::vector<redis::Pollable*>& out);
    Clock::time_point next_timer() const;
    // Reads `link` (poll said readable) and hands its frames on; a lost connection is
    // counted and repaired later.
    void on_readable(redis::Pollable* link, Clock::time_point now, const RunClock& clock);
    void on_timer(Clock::time_point now);

    const Receiver& receiver() const { return receiver_; }
    uint32_t id() const { return id_; }
    size_t group_count() const { return slots_.size(); }

  private:
    struct Slot {
        Group group;
        std::unique_ptr<redis::Link> link;
        std::unique_ptr<redis::ReconnectPolicy> policy;
        size_t confirmed = 0;
        bool counted = false;  // in events.confirmed
    };
    void open(Slot& slot, Clock::time_point now);
    void handle(Slot& slot, const redis::Frame& frame, uint64_t now_ns);
    void lose(Slot& slot, const Error& why, Clock::time_point now);

    uint32_t id_;
    redis::SubscriptionKind kind_;
    Receiver receiver_;
    std::vector<Slot> slots_;
    SubscriberEvents& events_;
    redis::LinkId next_link_id_ = 1;
};

}  // namespace amr::bench
