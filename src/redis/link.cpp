#include "redis/link.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace amr::redis {

Link::Link(LinkId id, NodeAddress node, Connection connection,
           std::chrono::milliseconds ping_interval, Clock::time_point now)
    : id_(id),
      node_(std::move(node)),
      connection_(std::move(connection)),
      ping_interval_(ping_interval),
      next_ping_(now + ping_interval) {
    reader_.reset(connection_);
}

void Link::on_readable(Clock::time_point now) {
    traffic_.add(reader_.read_from(connection_), now);
}

void Link::after_frames() {
    if (!heard_) return;
    heard_ = false;
    pong_due_ = never;
    next_ping_ = Clock::now() + ping_interval_;
}

Clock::time_point Link::next_timer() const {
    return std::min(pong_due_ != never ? pong_due_ : next_ping_, confirm_due_);
}

void Link::on_timer(Clock::time_point now) {
    const auto timeout = connection_.settings().connect_timeout;
    if (now >= confirm_due_) {
        const std::string what = describe_awaited_ ? describe_awaited_() : "a subscription";
        throw Error(ErrorKind::connection, endpoint() + " did not confirm " + what + " within " +
                                               std::to_string(timeout.count()) +
                                               " ms (--connect-timeout)");
    }
    if (pong_due_ != never && now >= pong_due_) {
        throw Error(ErrorKind::connection, "no reply to PING from " + endpoint() + " within " +
                                               std::to_string(timeout.count()) + " ms");
    }
    if (pong_due_ == never && now >= next_ping_) {
        spdlog::debug("idle for {} ms: PING {}", ping_interval_.count(), node_.str());
        send({"PING"});
        pong_due_ = now + timeout;
    }
}

void Link::send(const std::vector<std::string_view>& command) {
    connection_.append(command);
    connection_.flush();
}

void Link::send_auth(const std::string& token) {
    connection_.send_auth(token);
    ++auth_pending_;
}

bool Link::take_auth_reply(const Frame& frame) {
    if (frame.type == Frame::Type::simple && frame.text == "OK") {
        --auth_pending_;
        spdlog::debug("re-authenticated on {} with a fresh token", node_.str());
        return true;
    }
    if (frame.type == Frame::Type::error) throw reply_error(frame.text, "AUTH");
    return false;
}

}  // namespace amr::redis
