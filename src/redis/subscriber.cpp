#include "redis/subscriber.hpp"

#include <poll.h>

#include <cerrno>

#include "util/signals.hpp"

namespace amr::redis {
namespace {

std::string_view text_of(const redisReply* r) {
    if (r == nullptr || r->str == nullptr) return {};
    return {r->str, r->len};
}

int poll_timeout_ms(Deadline deadline) {
    if (!deadline) return -1;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline -
                                                              std::chrono::steady_clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

}  // namespace

Wake wait_for_reply(Connection& connection, ReplyPtr& reply, Deadline deadline) {
    const int stop_fd = util::stop_signal_fd();
    for (;;) {
        if (util::stop_requested()) return Wake::stopped;
        reply = connection.buffered_reply();
        if (reply) return Wake::reply;
        if (connection.tls_pending()) {
            connection.read_available();
            continue;
        }
        pollfd fds[2] = {{connection.fd(), POLLIN, 0}, {stop_fd, POLLIN, 0}};
        int timeout = poll_timeout_ms(deadline);
        int n = poll(fds, 2, timeout);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error(ErrorKind::failure, "poll failed");
        }
        if (fds[1].revents) return Wake::stopped;
        if (n == 0) {
            if (poll_timeout_ms(deadline) == 0) return Wake::deadline;
            continue;
        }
        connection.read_available();
    }
}

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

}  // namespace amr::redis
