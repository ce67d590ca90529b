// Reading a subscribed connection: wait for the next push frame, a stop signal or a
// deadline, and decode the frame.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "redis/connection.hpp"

namespace amr::redis {

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

enum class Wake { reply, stopped, deadline };

// Waits for one reply. SIGINT/SIGTERM give `stopped`, the deadline gives `deadline`; a lost
// connection throws a connection Error.
Wake wait_for_reply(Connection& connection, ReplyPtr& reply, Deadline deadline);

struct PubSubEvent {
    enum class Kind { message, pmessage, subscribed, unsubscribed, pong, other };
    Kind kind = Kind::other;
    std::string_view pattern;  // pmessage
    std::string_view channel;  // message, pmessage, (un)subscribed (the channel or pattern)
    std::string_view payload;
    long long count = 0;  // (un)subscribed: how many subscriptions the connection has
    bool for_pattern = false;  // psubscribe/punsubscribe confirmations
};

// Decodes a RESP2 array or RESP3 push; views point into `reply`.
PubSubEvent decode_pubsub(const redisReply* reply);

}  // namespace amr::redis
