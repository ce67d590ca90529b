// One subscribed connection of a Subscriber (shared by its translation units).
#pragma once

#include <deque>
#include <vector>

#include "redis/subscriber.hpp"
#include "redis/traffic.hpp"

namespace amr::redis {

inline constexpr Clock::time_point never = Clock::time_point::max();

struct Subscriber::Link {
    Link(NodeAddress n, Connection c) : node(std::move(n)), connection(std::move(c)) {}

    NodeAddress node;
    Connection connection;
    PushReader reader;
    std::deque<std::vector<Subscription>> pending;  // sent, not all confirmed yet
    std::vector<Subscription> names;                // confirmed on this connection
    Clock::time_point next_ping = Clock::time_point::max();
    Clock::time_point pong_due = Clock::time_point::max();
    // The first pending group must be confirmed by then (--connect-timeout).
    Clock::time_point confirm_due = Clock::time_point::max();
    bool stray_reported = false;  // said that the server confirmed what amr did not ask
    int auth_pending = 0;         // AUTHs sent with a fresh token, not answered yet
    Traffic traffic;              // bytes received lately
};

}  // namespace amr::redis
