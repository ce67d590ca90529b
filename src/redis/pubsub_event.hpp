// What a pub/sub frame means: a message, a (un)subscription confirmation, a pong.
#pragma once

#include <string_view>

#include "redis/push_parser.hpp"

namespace amr::redis {

struct PubSubEvent {
    enum class Kind { message, pmessage, smessage, subscribed, unsubscribed, pong, error, other };
    Kind kind = Kind::other;
    std::string_view pattern;  // pmessage
    std::string_view channel;  // messages, (un)subscribed (the channel or pattern)
    std::string_view payload;  // messages; the text of an error
    long long count =
        0;  // (un)subscribed: how many subscriptions the connection has (-1: not a number)
    bool for_pattern = false;  // psubscribe/punsubscribe confirmations
    bool for_shard = false;    // ssubscribe/sunsubscribe confirmations
};

// Decodes a RESP2 array or RESP3 push frame; views point into the frame's bytes.
PubSubEvent decode_pubsub(const Frame& frame);

}  // namespace amr::redis
