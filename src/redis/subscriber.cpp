#include "redis/subscriber.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>

#include "util/signals.hpp"

namespace amr::redis {
namespace {

using Clock = std::chrono::steady_clock;

std::string_view text_of(const redisReply* r) {
    if (r == nullptr || r->str == nullptr) return {};
    return {r->str, r->len};
}

int poll_timeout_ms(Clock::time_point until) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

}  // namespace

PubSubEvent decode_pubsub(const redisReply* r) {
    PubSubEvent e;
    if (r == nullptr || (r->type != REDIS_REPLY_ARRAY && r->type != REDIS_REPLY_PUSH) ||
        r->elements < 2) {
        return e;
    }
    std::string_view kind = text_of(r->element[0]);
    if (kind == "message" && r->elements >= 3) {
        e.kind = PubSubEvent::Kind::message;
        e.channel = text_of(r->element[1]);
        e.payload = text_of(r->element[2]);
    } else if (kind == "pmessage" && r->elements >= 4) {
        e.kind = PubSubEvent::Kind::pmessage;
        e.pattern = text_of(r->element[1]);
        e.channel = text_of(r->element[2]);
        e.payload = text_of(r->element[3]);
    } else if ((kind == "subscribe" || kind == "psubscribe") && r->elements >= 3) {
        e.kind = PubSubEvent::Kind::subscribed;
        e.for_pattern = kind == "psubscribe";
        e.channel = text_of(r->element[1]);
        e.count = r->element[2]->integer;
    } else if ((kind == "unsubscribe" || kind == "punsubscribe") && r->elements >= 3) {
        e.kind = PubSubEvent::Kind::unsubscribed;
        e.for_pattern = kind == "punsubscribe";
        e.channel = text_of(r->element[1]);
        e.count = r->element[2]->integer;
    } else if (kind == "pong") {
        e.kind = PubSubEvent::Kind::pong;
    }
    return e;
}

Subscriber::Subscriber(config::Settings settings, SubscriberOptions options)
    : settings_(std::move(settings)), options_(std::move(options)) {}

Subscriber::Wake Subscriber::wait(ReplyPtr& reply, Clock::time_point until) {
    Connection& c = *connection_;
    const int stop_fd = util::stop_signal_fd();
    for (;;) {
        if (util::stop_requested()) return Wake::stopped;
        reply = c.buffered_reply();
        if (reply) return Wake::reply;
        if (c.tls_pending()) {
            c.read_available();
            continue;
        }
        pollfd fds[2] = {{c.fd(), POLLIN, 0}, {stop_fd, POLLIN, 0}};
        int n = poll(fds, 2, poll_timeout_ms(until));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error(ErrorKind::failure, "poll failed");
        }
        if (fds[1].revents) return Wake::stopped;
        if (n == 0) {
            if (Clock::now() >= until) return Wake::timer;
            continue;
        }
        c.read_available();
    }
}

void Subscriber::subscribe_all() {
    std::vector<std::string_view> command = {options_.patterns ? "PSUBSCRIBE" : "SUBSCRIBE"};
    command.insert(command.end(), options_.names.begin(), options_.names.end());
    connection_->append(command);
    connection_->flush();
}

bool Subscriber::recover(const Error& lost) {
    connection_.reset();
    if (!options_.reconnect) throw lost;
    connection_ = reconnect(settings_, options_.backoff, lost.what());
    if (!connection_) return false;
    spdlog::warn("messages published while disconnected are lost; subscribing again");
    subscribe_all();
    return true;
}

StopReason Subscriber::run(Deadline deadline,
                           const std::function<bool(ReplyPtr)>& on_message) {
    connection_ = Connection::open(settings_);
    subscribe_all();

    const auto never = Clock::time_point::max();
    auto next_ping = Clock::now() + options_.ping_interval;
    std::optional<Clock::time_point> pong_due;
    size_t confirmations = 0;
    ReplyPtr reply;
    for (;;) {
        const auto timer = std::min({deadline.value_or(never), pong_due.value_or(never),
                                     pong_due ? never : next_ping});
        Wake wake;
        try {
            wake = wait(reply, timer);
            if (wake == Wake::timer && pong_due && Clock::now() >= *pong_due) {
                throw Error(ErrorKind::connection,
                            "no reply to PING from " + connection_->endpoint() + " within " +
                                std::to_string(settings_.connect_timeout.count()) + " ms");
            }
            if (wake == Wake::timer && !pong_due && Clock::now() >= next_ping) {
                spdlog::debug("idle for {} ms: PING", options_.ping_interval.count());
                connection_->append({"PING"});
                connection_->flush();
                pong_due = Clock::now() + settings_.connect_timeout;
            }
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            if (!recover(e)) return StopReason::signal;
            confirmations = 0;
            pong_due.reset();
            next_ping = Clock::now() + options_.ping_interval;
            continue;
        }
        if (wake == Wake::stopped) return StopReason::signal;
        if (wake == Wake::timer) {
            if (deadline && Clock::now() >= *deadline) return StopReason::deadline;
            continue;
        }

        // Any traffic shows the connection is alive.
        pong_due.reset();
        next_ping = Clock::now() + options_.ping_interval;
        if (reply->type == REDIS_REPLY_ERROR) throw reply_error(reply.get(), "SUBSCRIBE");
        const PubSubEvent e = decode_pubsub(reply.get());
        using Kind = PubSubEvent::Kind;
        if (e.kind == Kind::message || e.kind == Kind::pmessage) {
            if (!on_message(std::move(reply))) return StopReason::done;
        } else if (e.kind == Kind::subscribed) {
            ++confirmations;
            if (!confirmed_once_) {
                spdlog::info("[+] Subscribed to {}: '{}'", e.for_pattern ? "pattern" : "channel",
                             e.channel);
            } else if (confirmations == options_.names.size()) {
                spdlog::warn("subscribed again to {} {}(s)", confirmations,
                             options_.patterns ? "pattern" : "channel");
            }
            if (confirmations == options_.names.size()) confirmed_once_ = true;
        }
    }
}

}  // namespace amr::redis
