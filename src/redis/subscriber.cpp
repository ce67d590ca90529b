#include "redis/subscriber.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>

#include "util/signals.hpp"

namespace amr::redis {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t read_size = 256 * 1024;

int poll_timeout_ms(Clock::time_point until) {
    if (until == Clock::time_point::max()) return -1;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

long long to_integer(std::string_view text) {
    long long value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') break;
        value = value * 10 + (c - '0');
    }
    return value;
}

}  // namespace

PubSubEvent decode_pubsub(const Frame& f) {
    PubSubEvent e;
    if (f.type == Frame::Type::error) {
        e.kind = PubSubEvent::Kind::error;
        e.payload = f.text;
        return e;
    }
    if (f.type != Frame::Type::array || f.count < 2) return e;
    const std::string_view kind = f.items[0];
    if (kind == "message" && f.count == 3) {
        e.kind = PubSubEvent::Kind::message;
        e.channel = f.items[1];
        e.payload = f.items[2];
    } else if (kind == "pmessage" && f.count == 4) {
        e.kind = PubSubEvent::Kind::pmessage;
        e.pattern = f.items[1];
        e.channel = f.items[2];
        e.payload = f.items[3];
    } else if ((kind == "subscribe" || kind == "psubscribe") && f.count == 3) {
        e.kind = PubSubEvent::Kind::subscribed;
        e.for_pattern = kind == "psubscribe";
        e.channel = f.items[1];
        e.count = to_integer(f.items[2]);
    } else if ((kind == "unsubscribe" || kind == "punsubscribe") && f.count == 3) {
        e.kind = PubSubEvent::Kind::unsubscribed;
        e.for_pattern = kind == "punsubscribe";
        e.channel = f.items[1];
        e.count = to_integer(f.items[2]);
    } else if (kind == "pong") {
        e.kind = PubSubEvent::Kind::pong;
    }
    return e;
}

Subscriber::Subscriber(config::Settings settings, SubscriberOptions options)
    : settings_(std::move(settings)), options_(std::move(options)) {}

Subscriber::Wake Subscriber::wait(Clock::time_point until) {
    Connection& c = *connection_;
    const int stop_fd = util::stop_signal_fd();
    for (;;) {
        if (util::stop_requested()) return Wake::stopped;
        if (!c.tls_pending()) {
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
        }
        // Move the unparsed tail to the front, and make room for one more read.
        if (buffer_start_ > 0) {
            std::copy(buffer_.begin() + buffer_start_, buffer_.begin() + buffer_end_,
                      buffer_.begin());
            buffer_end_ -= buffer_start_;
            buffer_start_ = 0;
        }
        if (buffer_.size() - buffer_end_ < read_size) buffer_.resize(buffer_end_ + read_size);
        const size_t n = c.read_raw(buffer_.data() + buffer_end_, buffer_.size() - buffer_end_);
        buffer_end_ += n;
        if (n > 0) return Wake::data;
    }
}

void Subscriber::subscribe_all() {
    std::vector<std::string_view> command = {options_.patterns ? "PSUBSCRIBE" : "SUBSCRIBE"};
    command.insert(command.end(), options_.names.begin(), options_.names.end());
    connection_->append(command);
    connection_->flush();
    const std::string unparsed = connection_->take_unparsed();
    buffer_.assign(unparsed.begin(), unparsed.end());
    buffer_start_ = 0;
    buffer_end_ = buffer_.size();
    confirmations_ = 0;
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

void Subscriber::on_subscribed(const PubSubEvent& e) {
    ++confirmations_;
    if (!confirmed_once_) {
        spdlog::info("[+] Subscribed to {}: '{}'", e.for_pattern ? "pattern" : "channel", e.channel);
    } else if (confirmations_ == options_.names.size()) {
        spdlog::warn("subscribed again to {} {}(s)", confirmations_,
                     options_.patterns ? "pattern" : "channel");
    }
    if (confirmations_ == options_.names.size()) confirmed_once_ = true;
}

bool Subscriber::deliver(MessageSink& sink) {
    Frame frame;
    for (;;) {
        const std::string_view pending(buffer_.data() + buffer_start_,
                                       buffer_end_ - buffer_start_);
        const size_t used = parse_frame(pending, frame);
        if (used == 0) return true;
        got_traffic_ = true;
        const PubSubEvent e = decode_pubsub(frame);
        using Kind = PubSubEvent::Kind;
        if (e.kind == Kind::message || e.kind == Kind::pmessage) {
            if (!sink.on_message(e)) return false;
        } else if (e.kind == Kind::subscribed) {
            on_subscribed(e);
        } else if (e.kind == Kind::error) {
            throw reply_error(e.payload, options_.patterns ? "PSUBSCRIBE" : "SUBSCRIBE");
        }
        buffer_start_ += used;
    }
}

StopReason Subscriber::run(Deadline deadline, MessageSink& sink) {
    connection_ = Connection::open(settings_);
    subscribe_all();

    const auto never = Clock::time_point::max();
    auto next_ping = Clock::now() + options_.ping_interval;
    auto pong_due = never;  // while a PING waits for its answer
    for (;;) {
        try {
            if (!deliver(sink)) return StopReason::done;
            if (got_traffic_) {  // any traffic shows the connection is alive
                got_traffic_ = false;
                pong_due = never;
                next_ping = Clock::now() + options_.ping_interval;
            }
            sink.on_idle();
            const auto timer =
                std::min(deadline.value_or(never), pong_due != never ? pong_due : next_ping);
            const Wake wake = wait(timer);
            if (wake == Wake::stopped) return StopReason::signal;
            if (wake == Wake::data) continue;
            if (deadline && Clock::now() >= *deadline) return StopReason::deadline;
            if (pong_due != never && Clock::now() >= pong_due) {
                throw Error(ErrorKind::connection,
                            "no reply to PING from " + connection_->endpoint() + " within " +
                                std::to_string(settings_.connect_timeout.count()) + " ms");
            }
            if (pong_due == never && Clock::now() >= next_ping) {
                spdlog::debug("idle for {} ms: PING", options_.ping_interval.count());
                connection_->append({"PING"});
                connection_->flush();
                pong_due = Clock::now() + settings_.connect_timeout;
            }
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            if (!recover(e)) return StopReason::signal;
            pong_due = never;
            next_ping = Clock::now() + options_.ping_interval;
        }
    }
}

}  // namespace amr::redis
