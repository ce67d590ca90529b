#include "publish/session.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <memory>

#include "publish/merged_stats.hpp"
#include "util/signals.hpp"

namespace amr::publish {
namespace {

// PING a connection after this long without anything to send, well within AMR's 10
// minutes.
constexpr auto idle_ping = std::chrono::seconds(60);

// SIGINT/SIGTERM while connecting end the opening (Interrupted): nothing more is sent.
redis::Connection open_connection(const config::Settings& settings) {
    return redis::Connection::open(settings, redis::Connection::Protocol::resp2, true, true);
}

}  // namespace

PipelineOptions Session::pipeline_options() const {
    PipelineOptions po;
    po.window = options_.window;
    po.retry = options_.retry;
    po.backoff.max_attempts = options_.reconnect_max;
    po.min_receivers = options_.min_receivers;
    po.before_log = [progress = progress_.get()] { progress->clear(); };
    po.next_line = next_line_;
    return po;
}

std::optional<Session> Session::open(const config::Settings& settings, const StreamOptions& o,
                                     std::function<uint64_t()> next_line) {
    util::stop_signal_fd();  // SIGINT/SIGTERM end the sending, not the process
    Session s;
    s.settings_ = settings;
    s.options_ = o;
    s.next_line_ = std::move(next_line);
    s.progress_ = std::make_unique<Progress>(Progress::wanted());
    PipelineOptions po = s.pipeline_options();
    po.channels = o.channels;
    if (o.sharded) po.verb = "SPUBLISH";
    std::optional<redis::Connection> connection;
    try {
        // SIGINT/SIGTERM while connecting: nothing was sent, exit 130 as after any message.
        connection = open_connection(settings);
    } catch (const redis::Interrupted& e) {
        spdlog::warn("{}; nothing was sent", e.what());
        return std::nullopt;
    }
    s.pipelines_.push_back(std::make_unique<Pipeline>(std::move(*connection), std::move(po)));
    return s;
}

Pipeline& Session::pipeline_for(std::string_view channel, bool sharded) {
    if (!sharded || shards_ == Shards::single) return pipeline();
    if (shards_ == Shards::unknown) {
        // Asked on a connection of its own: the first one is busy pipelining.
        redis::Connection seed = open_connection(settings_);
        topology_ = redis::discover_topology(seed, settings_.host);
        shards_ = topology_ ? Shards::cluster : Shards::single;
        if (!topology_) return pipeline();
        spdlog::debug("a cluster: smessage lines go to the primary of their channel's slot");
    }
    const redis::NodeAddress& primary = topology_->primary_for(redis::key_slot(channel));
    for (size_t i = 0; i < nodes_.size(); ++i)
        if (nodes_[i] == primary) return *pipelines_[i + 1];
    return open_shard(primary);
}

Pipeline& Session::open_shard(const redis::NodeAddress& primary) {
    // Send what is queued first: the connection may take a while.
    send();
    redis::Connection connection = open_connection(redis::node_settings(settings_, primary));
    pipelines_.push_back(std::make_unique<Pipeline>(std::move(connection), pipeline_options()));
    nodes_.push_back(primary);
    return *pipelines_.back();
}

StreamResult Session::nothing_sent(const StreamOptions& o) {
    StreamResult stopped;
    stopped.interrupted = true;
    stopped.totals = {o.channels,
                      std::vector<long long>(o.channels.size(), 0),
                      0,
                      0,
                      0,
                      std::vector<uint64_t>(o.channels.size(), 0),
                      o.per_message};
    return stopped;
}

uint64_t Session::added() const {
    uint64_t n = 0;
    for (const auto& p : pipelines_) n += p->added();
    return n;
}

uint64_t Session::confirmed() const {
    uint64_t n = 0;
    for (const auto& p : pipelines_) n += p->stats().confirmed;
    return n;
}

bool Session::failed() const {
    return std::any_of(pipelines_.begin(), pipelines_.end(),
                       [](const auto& p) { return p->failed(); });
}

void Session::send() {
    for (auto& p : pipelines_) p->send();
}

void Session::reauthenticate_if_due() {
    for (auto& p : pipelines_) p->reauthenticate_if_due();
}

void Session::finish() {
    std::exception_ptr first;
    for (auto& p : pipelines_) {
        try {
            p->finish();
        } catch (const Error&) {
            if (!first) first = std::current_exception();
        }
    }
    if (first) std::rethrow_exception(first);
}

bool Session::wait(std::optional<int> input_fd, std::optional<Clock::time_point> until) {
    ping_at_ = Clock::now() + idle_ping;
    std::vector<pollfd> fds;
    for (;;) {
        if (util::stop_requested()) return false;
        bool pending = false;
        for (auto& p : pipelines_) {
            p->reauthenticate_if_due();
            if (p->tls_pending()) {
                p->take_replies();
                pending = true;
            }
        }
        if (pending) continue;
        const auto now = Clock::now();
        if (until && now >= *until) return true;
        fds.assign({{util::stop_signal_fd(), POLLIN, 0}, {input_fd.value_or(-1), POLLIN, 0}});
        for (const auto& p : pipelines_) fds.push_back({p->fd(), POLLIN, 0});
        // A token refresh may fall due meanwhile: look every second.
        auto wake = std::min(ping_at_, now + std::chrono::seconds(1));
        if (until) wake = std::min(wake, *until);
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(wake - now);
        const int n =
            ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(left.count(), 0)));
        if (n < 0 && errno != EINTR) return true;  // let read(2) say what is wrong
        if (n > 0 && input_fd && fds[1].revents != 0) return true;
        bool replies = false;
        for (size_t i = 0; n > 0 && i < pipelines_.size(); ++i) {
            if (fds[i + 2].revents == 0) continue;
            pipelines_[i]->take_replies();
            replies = true;
        }
        if (!replies && n == 0 && Clock::now() >= ping_at_) {
            for (auto& p : pipelines_) p->ping();
            ping_at_ = Clock::now() + idle_ping;
        }
    }
}

StreamResult Session::summarise(uint64_t skipped, bool interrupted) {
    progress_->clear();
    std::vector<MergedStats::Part> parts;
    for (const auto& p : pipelines_) parts.push_back({&p->channels(), &p->stats()});
    const MergedStats m = merge_stats(parts);
    const PipelineStats& s = m.stats;
    StreamResult result;
    result.interrupted = interrupted;
    result.totals = {m.channels, s.channel_receivers, s.confirmed,         s.receivers,
                     skipped,    s.channel_messages,  options_.per_message};
    result.below_min = s.below_min;
    result.first_below_min_line = s.first_below_min_line;
    spdlog::info("{}", summary_text(result.totals, progress_->elapsed_seconds()));
    for (const std::string& line : channel_summary_lines(result.totals)) spdlog::info("{}", line);
    return result;
}

}  // namespace amr::publish
