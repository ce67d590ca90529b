// Subscriptions that keep going. Each connection's pub/sub traffic is read as fast as the
// server sends it (parsed by amr itself, see push_parser.hpp); idle connections are
// PINGed to find dead ones; after any loss amr reconnects (backoff with jitter) and
// subscribes again. Shard channels in a cluster get one connection per shard that owns
// them; when a slot moves (failover, migration) they are subscribed where they now live.
// With a control stream (--interactive), lines change the subscriptions on the live
// connection, so no message is lost or repeated.
//
// The parts (each usable alone, amr bench builds on them): SubscriptionSet (what is
// wanted, pending and confirmed; no I/O), ClusterView (where shard channels live), Link
// (one connection that reads pushes and pings by itself), ReconnectPolicy (backoff,
// attempts, the stability window). The Subscriber joins them in one poll() loop with the
// sink, the control stream and token refresh.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "redis/backoff.hpp"
#include "redis/cluster.hpp"
#include "redis/cluster_view.hpp"
#include "redis/connection.hpp"
#include "redis/control.hpp"
#include "redis/pubsub_event.hpp"
#include "redis/push_reader.hpp"
#include "redis/reconnect_policy.hpp"
#include "redis/subscription_set.hpp"

namespace amr::redis {

class Link;

using Clock = std::chrono::steady_clock;
using Deadline = std::optional<Clock::time_point>;

// Where the messages go. Views in the event are valid only during the call.
class MessageSink {
  public:
    virtual ~MessageSink() = default;
    // Returns false to stop.
    virtual bool on_message(const PubSubEvent& event) = 0;
    // Called before the reader waits for the sockets: the moment to hand on a batch.
    virtual void on_idle() = 0;
    // --idle-timeout: when to stop for want of messages (asked after on_idle).
    virtual Deadline idle_deadline() const { return std::nullopt; }
    // Called once, when the server has confirmed every subscription asked for at the
    // start (request publishes only then, so no reply can come before it listens).
    // Returns false to stop.
    virtual bool on_subscribed() { return true; }
};

struct SubscriberOptions {
    SubscriptionKind kind = SubscriptionKind::channels;
    std::vector<std::string> names;
    bool reconnect = true;
    BackoffPolicy backoff;
    std::chrono::milliseconds ping_interval{60000};  // idle time before a PING
    ClusterMode cluster = ClusterMode::detect;       // for shard channels
    int control_fd = -1;  // --interactive: commands, one a line (see control.hpp)
};

enum class StopReason { signal, deadline, idle, done };

class Subscriber {
  public:
    Subscriber(config::Settings settings, SubscriberOptions options);
    ~Subscriber();

    // Subscribes, then hands every message to `sink` until a signal (or
    // util::request_stop), the deadline, the sink's idle deadline, or the sink says stop.
    // Connection losses are repaired unless options.reconnect is false (then the loss is thrown).
    StopReason run(Deadline deadline, MessageSink& sink);

  private:
    Connection open(const config::Settings& s) const;
    // Subscribes `wanted` where each lives (homeless when its node cannot be reached;
    // then the last connection Error is thrown).
    void place(std::vector<Subscription> wanted);
    Link& link_to(const NodeAddress& node);
    Link& add_link(const NodeAddress& node, Connection connection);
    void subscribe(Link& link, std::vector<Subscription> group);  // confirmation awaited
    void send(Link& link, const char* verb, const std::vector<Subscription>& group);
    std::string awaited(LinkId link) const;
    void lose(size_t index, const Error& why);
    void schedule_recovery(const Error& why);
    void try_recover();
    bool handle(Link& link, const Frame& frame, MessageSink& sink);
    bool confirm(Link& link, const PubSubEvent& e);  // true: all confirmed the first time
    void forget(Link& link, const PubSubEvent& e);
    void refused(Link& link, std::string_view error);  // a cluster redirect
    Clock::time_point next_timer(Deadline deadline) const;
    void check_timers();
    void reauthenticate();
    void read_control();
    void apply(const ControlCommand& command);

    config::Settings settings_;
    SubscriberOptions options_;
    SubscriptionSet subscriptions_;
    ClusterView cluster_;  // a topology when shard channels live in a cluster
    std::vector<std::unique_ptr<Link>> links_;
    LinkId next_link_id_ = 1;
    ReconnectPolicy retry_;
    bool confirmed_once_ = false;
    bool recovering_ = false;  // say when everything is subscribed again
    bool overflow_explained_ = false;
    // --interactive: the line being read, and whether one too long is being skipped.
    static constexpr size_t max_control_line = 64 * 1024;
    std::string control_buffer_;
    bool control_discarding_ = false;
    int control_fd_ = -1;
};

}  // namespace amr::redis
