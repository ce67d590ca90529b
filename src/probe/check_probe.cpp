#include "probe/check_probe.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <random>

#include "redis/cluster.hpp"
#include "redis/connection.hpp"

namespace amr::probe {
namespace {

using redis::Clock;
using redis::Connection;
using redis::ReplyPtr;

double seconds(Clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

std::string random_hex(int digits) {
    std::random_device device;
    std::mt19937_64 bits((static_cast<uint64_t>(device()) << 32) ^ device());
    std::string out;
    const char* hex = "0123456789abcdef";
    while (static_cast<int>(out.size()) < digits) out += hex[bits() & 15];
    return out;
}

std::string_view element(const redisReply* r, size_t i) {
    if (r->type != REDIS_REPLY_ARRAY || i >= r->elements) return {};
    const redisReply* e = r->element[i];
    if (e->type != REDIS_REPLY_STRING && e->type != REDIS_REPLY_STATUS) return {};
    return {e->str, e->len};
}

void check_confirmation(const redisReply* r, const char* verb, const std::string& endpoint) {
    if (r->type == REDIS_REPLY_ERROR) throw redis::reply_error(r, verb);
    std::string kind(verb);
    std::transform(kind.begin(), kind.end(), kind.begin(), ::tolower);
    if (element(r, 0) != kind) {
        throw redis::protocol_error(
            endpoint, std::string("the reply to ") + verb + " was not its confirmation");
    }
}

// Waits until the publisher has its reply and the subscriber the message; records in
// `phases` how long each took from `sent`.
void await_both(Connection& sub, Connection& pub, const CheckTarget& t, std::string_view payload,
                Clock::time_point sent, Phases& phases) {
    const char* verb = t.sharded ? "SPUBLISH" : "PUBLISH";
    const Clock::time_point deadline = sub.reply_deadline();
    bool acked = false;
    bool received = false;
    while (!acked || !received) {
        if (!acked) {
            if (ReplyPtr r = pub.buffered_reply()) {
                if (r->type == REDIS_REPLY_ERROR) throw redis::reply_error(r.get(), verb);
                phases.publish = seconds(Clock::now() - sent);
                acked = true;
                if (r->type == REDIS_REPLY_INTEGER && r->integer == 0) {
                    spdlog::debug("{} reached no subscriber on {}", verb, t.endpoint());
                }
                continue;
            }
        }
        if (!received) {
            if (ReplyPtr r = sub.buffered_reply()) {
                // Anyone may publish on a --channel: only our payload counts.
                if (r->type == REDIS_REPLY_ERROR) throw redis::reply_error(r.get(), "SUBSCRIBE");
                if (element(r.get(), 2) == payload) {
                    phases.rtt = seconds(Clock::now() - sent);
                    received = true;
                }
                continue;
            }
        }
        if ((!acked && pub.tls_pending()) || (!received && sub.tls_pending())) {
            if (!acked && pub.tls_pending()) pub.read_available(deadline, verb);
            if (!received && sub.tls_pending()) sub.read_available(deadline, "SUBSCRIBE");
            continue;
        }
        // A connection done with is left out: a close after its reply is no failure.
        pollfd fds[2] = {{acked ? -1 : pub.fd(), POLLIN, 0}, {received ? -1 : sub.fd(), POLLIN, 0}};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - Clock::now() + std::chrono::microseconds(999));
        if (left.count() <= 0) {
            const std::string within = " within " + redis::timeout_text(t.settings.connect_timeout);
            if (!acked) {
                throw Error(ErrorKind::connection,
                            std::string("no reply to ") + verb + " from " + t.endpoint() + within,
                            redis::connection_hint);
            }
            throw Error(ErrorKind::failure,
                        "the probe message on " + t.channel + " did not come back from " +
                            t.endpoint() + within,
                        "the server took the message but did not deliver it to the subscriber");
        }
        if (::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000))) < 0 &&
            errno != EINTR) {
            throw Error(ErrorKind::failure, "poll failed");
        }
        if (fds[0].revents != 0) pub.read_available(deadline, verb);
        if (fds[1].revents != 0) sub.read_available(deadline, "SUBSCRIBE");
    }
}

bool serves(const redis::Topology& topology, const redis::NodeAddress& primary, uint16_t slot) {
    return std::any_of(topology.ranges.begin(), topology.ranges.end(), [&](const auto& r) {
        return r.primary == primary && slot >= r.first && slot <= r.last;
    });
}

}  // namespace

std::string fresh_channel(const std::string& tag) {
    return "amr:check:" + (tag.empty() ? std::string() : "{" + tag + "}:") + random_hex(16);
}

Phases run_probe(const CheckTarget& t, int number) {
    const char* subscribe = t.sharded ? "SSUBSCRIBE" : "SUBSCRIBE";
    const char* publish = t.sharded ? "SPUBLISH" : "PUBLISH";
    // No PING: the confirmation and the reply to PUBLISH verify the connections.
    Connection sub = Connection::open(t.settings, Connection::Protocol::resp2, false);
    Phases phases;
    const redis::OpenTimes& opened = sub.open_times();
    phases.tcp_connect = seconds(opened.tcp_connect);
    if (opened.tls_handshake) phases.tls_handshake = seconds(*opened.tls_handshake);
    if (opened.auth) phases.auth = seconds(*opened.auth);

    Clock::time_point start = Clock::now();
    sub.append({subscribe, t.channel});
    check_confirmation(sub.read_reply(subscribe).get(), subscribe, t.endpoint());
    phases.subscribe = seconds(Clock::now() - start);

    Connection pub = Connection::open(t.settings, Connection::Protocol::resp2, false);
    const std::string payload = "amr check " + std::to_string(number) + " " + random_hex(16);
    start = Clock::now();
    pub.append({publish, t.channel, payload});
    pub.flush();
    await_both(sub, pub, t, payload, start, phases);
    return phases;
}

std::vector<CheckTarget> check_targets(const config::Settings& settings,
                                       const std::optional<std::string>& channel, bool all_shards) {
    if (!all_shards) return {CheckTarget{settings, channel.value_or(fresh_channel()), false}};
    Connection seed = Connection::open(settings, Connection::Protocol::resp2, false);
    const std::optional<redis::Topology> topology = redis::discover_topology(seed, settings.host);
    if (!topology) {
        throw usage_error("--all-shards: " + seed.endpoint() + " is not a Redis Cluster",
                          "leave out --all-shards for a server without the cluster API");
    }
    std::vector<CheckTarget> targets;
    for (const redis::SlotRange& range : topology->ranges) {
        const bool seen = std::any_of(targets.begin(), targets.end(), [&](const CheckTarget& t) {
            return t.settings.host == range.primary.host && t.settings.port == range.primary.port;
        });
        if (seen) continue;
        // The first tag 0, 1, 2... whose slot this primary serves.
        for (int n = 0; n < 1000000; ++n) {
            const std::string tag = std::to_string(n);
            if (serves(*topology, range.primary, redis::key_slot(tag))) {
                targets.push_back(
                    {redis::node_settings(settings, range.primary), fresh_channel(tag), true});
                break;
            }
        }
    }
    return targets;
}

}  // namespace amr::probe
