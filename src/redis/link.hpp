// One subscribed connection: it reads the server's pushes (PushReader, as fast as they
// come), PINGs by itself after `ping_interval` without a frame and gives up when the
// PONG (or any frame) does not come within --connect-timeout, waits for a confirmation by
// a deadline when told to, counts its traffic (to explain a disconnect by the server's
// output-buffer limit), and sends AUTH with a fresh token, counting the replies due.
// A poll loop drives it through Pollable; whoever owns it takes the frames with next()
// after each read, then calls after_frames().
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "redis/cluster.hpp"
#include "redis/connection.hpp"
#include "redis/pollable.hpp"
#include "redis/push_reader.hpp"
#include "redis/subscription_set.hpp"
#include "redis/traffic.hpp"

namespace amr::redis {

class Link final : public Pollable {
  public:
    static constexpr Clock::time_point never = Clock::time_point::max();

    // Takes over `connection` to `node` (with what it had read and not parsed), pinging
    // after `ping_interval` without a frame from `now`.
    Link(LinkId id, NodeAddress node, Connection connection,
         std::chrono::milliseconds ping_interval, Clock::time_point now);

    LinkId id() const { return id_; }
    const NodeAddress& node() const { return node_; }
    Connection& connection() { return connection_; }
    std::string endpoint() const { return connection_.endpoint(); }
    const Traffic& traffic() const { return traffic_; }

    // Pollable.
    int fd() const override { return connection_.fd(); }
    short events() const override { return POLLIN; }
    bool readable_without_poll() const override { return connection_.tls_pending(); }
    void on_readable(Clock::time_point now) override;
    Clock::time_point next_timer() const override;
    // In this order: a confirmation overdue, a PONG overdue (both throw a connection
    // Error naming the server), a PING due (sent; a failed write throws).
    void on_timer(Clock::time_point now) override;

    // The next whole frame read, or false. Its views are valid until the next read.
    // Throws a connection Error on bytes that are not RESP.
    bool next(Frame& frame) {
        if (!reader_.next(frame)) return false;
        heard_ = true;
        return true;
    }
    // After taking the frames: any frame shows the connection alive (no PONG is awaited,
    // the next PING is due an interval from now).
    void after_frames();

    // Sends one command at once (append and flush).
    void send(const std::vector<std::string_view>& command);
    // A confirmation is awaited by `deadline` (`never`: none is).
    void await_confirmation(Clock::time_point deadline) { confirm_due_ = deadline; }
    // Says what confirmation is awaited ("SUBSCRIBE 'a' and 2 more"), asked when it did
    // not come in time.
    void describe_awaited(std::function<std::string()> describe) {
        describe_awaited_ = std::move(describe);
    }

    // Sends AUTH with a fresh token (needs RESP3 while subscribed); the reply is due.
    void send_auth(const std::string& token);
    int auth_pending() const { return auth_pending_; }
    // While AUTH replies are due and no confirmation is: true when `frame` was the +OK of
    // one; an error reply throws (the auth Error of a refused token); false for others.
    bool take_auth_reply(const Frame& frame);

  private:
    LinkId id_;
    NodeAddress node_;
    Connection connection_;
    PushReader reader_;
    std::chrono::milliseconds ping_interval_;
    Clock::time_point next_ping_;
    Clock::time_point pong_due_ = never;
    Clock::time_point confirm_due_ = never;
    std::function<std::string()> describe_awaited_;
    bool heard_ = false;  // a frame since after_frames()
    int auth_pending_ = 0;
    Traffic traffic_;  // bytes received lately
};

}  // namespace amr::redis
