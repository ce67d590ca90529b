#include "publish/session.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "util/signals.hpp"

namespace amr::publish {
namespace {

// PING a connection after this long without anything to send, well within AMR's 10
// minutes.
constexpr auto idle_ping = std::chrono::seconds(60);

}  // namespace

std::optional<Session> Session::open(const config::Settings& settings, const StreamOptions& o,
                                     std::function<uint64_t()> next_line) {
    util::stop_signal_fd();  // SIGINT/SIGTERM end the sending, not the process
    Session s;
    s.options_ = o;
    s.progress_ = std::make_unique<Progress>(Progress::wanted());
    PipelineOptions po;
    po.channels = o.channels;
    if (o.sharded) po.verb = "SPUBLISH";
    po.window = o.window;
    po.retry = o.retry;
    po.backoff.max_attempts = o.reconnect_max;
    po.min_receivers = o.min_receivers;
    po.before_log = [progress = s.progress_.get()] { progress->clear(); };
    po.next_line = std::move(next_line);
    std::optional<redis::Connection> connection;
    try {
        // SIGINT/SIGTERM while connecting: nothing was sent, exit 130 as after any message.
        connection =
            redis::Connection::open(settings, redis::Connection::Protocol::resp2, true, true);
    } catch (const redis::Interrupted& e) {
        spdlog::warn("{}; nothing was sent", e.what());
        return std::nullopt;
    }
    s.pipeline_ = std::make_unique<Pipeline>(std::move(*connection), std::move(po));
    return s;
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

bool Session::wait(std::optional<int> input_fd, std::optional<Clock::time_point> until) {
    Pipeline& pipeline = *pipeline_;
    ping_at_ = Clock::now() + idle_ping;
    for (;;) {
        if (util::stop_requested()) return false;
        pipeline.reauthenticate_if_due();
        if (pipeline.tls_pending()) {
            pipeline.take_replies();
            continue;
        }
        const auto now = Clock::now();
        if (until && now >= *until) return true;
        pollfd fds[] = {{util::stop_signal_fd(), POLLIN, 0},
                        {pipeline.fd(), POLLIN, 0},
                        {input_fd.value_or(-1), POLLIN, 0}};
        // A token refresh may fall due meanwhile: look every second.
        auto wake = std::min(ping_at_, now + std::chrono::seconds(1));
        if (until) wake = std::min(wake, *until);
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(wake - now);
        const int n =
            ::poll(fds, input_fd ? 3 : 2, static_cast<int>(std::max<long long>(left.count(), 0)));
        if (n < 0 && errno != EINTR) return true;  // let read(2) say what is wrong
        if (n > 0 && input_fd && fds[2].revents != 0) return true;
        if (n > 0 && fds[1].revents != 0) {
            pipeline.take_replies();
        } else if (n == 0 && Clock::now() >= ping_at_) {
            pipeline.ping();
            ping_at_ = Clock::now() + idle_ping;
        }
    }
}

StreamResult Session::summarise(uint64_t skipped, bool interrupted) {
    progress_->clear();
    const PipelineStats& s = pipeline_->stats();
    StreamResult result;
    result.interrupted = interrupted;
    result.totals = {pipeline_->channels(), s.channel_receivers, s.confirmed, s.receivers, skipped,
                     s.channel_messages,    options_.per_message};
    result.below_min = s.below_min;
    result.first_below_min_line = s.first_below_min_line;
    spdlog::info("{}", summary_text(result.totals, progress_->elapsed_seconds()));
    for (const std::string& line : channel_summary_lines(result.totals)) spdlog::info("{}", line);
    return result;
}

}  // namespace amr::publish
