// A subscribed connection that keeps going: it reads push frames as fast as the server
// sends them, PINGs while idle to find dead connections, and after any connection loss
// reconnects (backoff with jitter) and subscribes again.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/backoff.hpp"
#include "redis/connection.hpp"

namespace amr::redis {

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

struct PubSubEvent {
    enum class Kind { message, pmessage, subscribed, unsubscribed, pong, other };
    Kind kind = Kind::other;
    std::string_view pattern;  // pmessage
    std::string_view channel;  // message, pmessage, (un)subscribed (the channel or pattern)
    std::string_view payload;
    long long count = 0;        // (un)subscribed: how many subscriptions the connection has
    bool for_pattern = false;   // psubscribe/punsubscribe confirmations
};

// Decodes a RESP2 array or RESP3 push; views point into `reply`.
PubSubEvent decode_pubsub(const redisReply* reply);

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

    // Connects and subscribes, then hands every message reply to `on_message` until a
    // signal (or util::request_stop), the deadline, or `on_message` returning false.
    // A lost connection reconnects unless options.reconnect is false (then it throws).
    StopReason run(Deadline deadline, const std::function<bool(ReplyPtr)>& on_message);

private:
    enum class Wake { reply, stopped, timer };
    Wake wait(ReplyPtr& reply, std::chrono::steady_clock::time_point until);
    void subscribe_all();
    bool recover(const Error& lost);  // false when stopped while reconnecting

    config::Settings settings_;
    SubscriberOptions options_;
    std::optional<Connection> connection_;
    bool confirmed_once_ = false;
};

}  // namespace amr::redis
