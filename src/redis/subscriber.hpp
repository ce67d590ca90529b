// Subscriptions that keep going. Each connection's pub/sub traffic is read as fast as the
// server sends it (parsed by amr itself, see push_parser.hpp); idle connections are
// PINGed to find dead ones; after any loss amr reconnects (backoff with jitter) and
// subscribes again. Shard channels in a cluster get one connection per shard that owns
// them; when a slot moves (failover, migration) they are subscribed where they now live.
// With a control stream (--interactive), lines change the subscriptions on the live
// connection, so no message is lost or repeated.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "redis/backoff.hpp"
#include "redis/cluster.hpp"
#include "redis/connection.hpp"
#include "redis/control.hpp"
#include "redis/pubsub_event.hpp"
#include "redis/push_reader.hpp"

namespace amr::redis {

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
};

enum class SubscriptionKind { channels, patterns, shard_channels };

struct Subscription {
    SubscriptionKind kind;
    std::string name;
    bool operator==(const Subscription&) const = default;
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
    struct Link;

    Connection open(const config::Settings& s) const;
    void place(std::vector<Subscription> wanted);
    Link& link_to(const NodeAddress& node);
    Link& add_link(const NodeAddress& node, Connection connection);
    void send(Link& link, const char* verb, std::vector<Subscription> group, bool track);
    void refresh_topology();
    void lose(size_t index, const Error& why);
    void schedule_recovery(const Error& why);
    Error gave_up(const Error& why) const;
    void confirmed_group(Link& link, std::deque<std::vector<Subscription>>::iterator group);
    void try_recover();
    bool handle(Link& link, const Frame& frame, MessageSink& sink);
    void confirm(Link& link, const PubSubEvent& e);
    void forget(Link& link, const PubSubEvent& e);
    Clock::time_point next_timer(Deadline deadline) const;
    void check_pings();
    void reauthenticate();
    void read_control();
    void apply(const ControlCommand& command);

    config::Settings settings_;
    SubscriberOptions options_;
    std::vector<Subscription> desired_;  // what should be subscribed now
    std::vector<std::unique_ptr<Link>> links_;
    std::vector<Subscription> homeless_;  // wanted, waiting to be (re)subscribed
    std::optional<Topology> topology_;    // set when shard channels live in a cluster
    // The node to ask for the topology first: the one that just said a slot moved, or
    // where it moved to. Its view is the newest; another node's may still be the old one.
    std::optional<NodeAddress> ask_first_;
    Backoff backoff_;
    int attempt_ = 0;  // failed recovery attempts in a row
    int tries_ = 0;    // attempts of the recovery under way
    Clock::time_point recover_at_ = Clock::time_point::max();
    // Until then a fault means the last recovery did not hold (see schedule_recovery).
    Clock::time_point stable_at_ = Clock::time_point::max();
    bool fault_counted_ = false;
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
