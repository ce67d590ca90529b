// A subscribed connection that keeps going: it reads push frames as fast as the server
// sends them (parsing them itself, see push_parser.hpp), PINGs while idle to find dead
// connections, and after any connection loss reconnects (backoff with jitter) and
// subscribes again.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/backoff.hpp"
#include "redis/connection.hpp"
#include "redis/push_parser.hpp"

namespace amr::redis {

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

struct PubSubEvent {
    enum class Kind { message, pmessage, subscribed, unsubscribed, pong, error, other };
    Kind kind = Kind::other;
    std::string_view pattern;  // pmessage
    std::string_view channel;  // message, pmessage, (un)subscribed (the channel or pattern)
    std::string_view payload;  // message, pmessage; the text of an error
    long long count = 0;       // (un)subscribed: how many subscriptions the connection has
    bool for_pattern = false;  // psubscribe/punsubscribe confirmations
};

// Decodes a RESP2 array or RESP3 push frame; views point into the frame's bytes.
PubSubEvent decode_pubsub(const Frame& frame);

// Where the messages go. Views in the event are valid only during the call.
class MessageSink {
public:
    virtual ~MessageSink() = default;
    // Returns false to stop.
    virtual bool on_message(const PubSubEvent& event) = 0;
    // Called before the reader waits for the socket: the moment to hand on a batch.
    virtual void on_idle() = 0;
};

struct SubscriberOptions {
    bool patterns = false;
    std::vector<std::string> names;
    bool reconnect = true;
    BackoffPolicy backoff;
    std::chrono::milliseconds ping_interval{60000};  // idle time before a PING
};

enum class StopReason { signal, deadline, done };

class Subscriber {
public:
    Subscriber(config::Settings settings, SubscriberOptions options);

    // Connects and subscribes, then hands every message to `sink` until a signal (or
    // util::request_stop), the deadline, or the sink says stop. A lost connection
    // reconnects unless options.reconnect is false (then it throws).
    StopReason run(Deadline deadline, MessageSink& sink);

private:
    enum class Wake { data, stopped, timer };
    Wake wait(std::chrono::steady_clock::time_point until);
    void subscribe_all();
    bool recover(const Error& lost);  // false when stopped while reconnecting
    // Parses what is buffered; false when the sink said stop.
    bool deliver(MessageSink& sink);
    void on_subscribed(const PubSubEvent& e);

    config::Settings settings_;
    SubscriberOptions options_;
    std::optional<Connection> connection_;
    // Bytes read from the socket; [buffer_start_, buffer_end_) is not parsed yet.
    std::vector<char> buffer_;
    size_t buffer_start_ = 0;
    size_t buffer_end_ = 0;
    size_t confirmations_ = 0;
    bool confirmed_once_ = false;
    bool got_traffic_ = false;
};

}  // namespace amr::redis
