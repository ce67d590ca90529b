#include "publish/stream.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "error.hpp"
#include "message/json_check.hpp"
#include "publish/line_reader.hpp"
#include "publish/pipeline.hpp"
#include "publish/progress.hpp"
#include "util/signals.hpp"

namespace amr::publish {
namespace {

struct InvalidLine {
    uint64_t number;
    std::string text;  // "<source>:<line>: not valid JSON at byte N: reason"
};

// PING a connection after this long without input, well within AMR's 10 minutes.
constexpr auto idle_ping = std::chrono::seconds(60);

// Waits until the input has something to read (or has ended). Meanwhile the replies are
// taken as they come, so a lost connection is noticed while the input is quiet, and a
// quiet connection gets a PING now and then. False when a signal came.
bool wait_for_input(int input_fd, Pipeline& pipeline) {
    auto ping_at = std::chrono::steady_clock::now() + idle_ping;
    for (;;) {
        if (util::stop_requested()) return false;
        pipeline.reauthenticate_if_due();
        if (pipeline.tls_pending()) {
            pipeline.take_replies();
            continue;
        }
        pollfd fds[] = {
            {input_fd, POLLIN, 0}, {pipeline.fd(), POLLIN, 0}, {util::stop_signal_fd(), POLLIN, 0}};
        // A token refresh may fall due while the input is quiet: look every second.
        const auto left =
            std::min<std::chrono::milliseconds>(std::chrono::ceil<std::chrono::milliseconds>(
                                                    ping_at - std::chrono::steady_clock::now()),
                                                std::chrono::seconds(1));
        const int n = ::poll(fds, 3, static_cast<int>(std::max<long long>(left.count(), 0)));
        if (n < 0 && errno != EINTR) return true;  // let read(2) say what is wrong
        if (n > 0 && fds[0].revents != 0) return true;
        if (n > 0 && fds[1].revents != 0) {
            pipeline.take_replies();
        } else if (n == 0 && std::chrono::steady_clock::now() >= ping_at) {
            pipeline.ping();
            ping_at = std::chrono::steady_clock::now() + idle_ping;
        }
    }
}

// "<source>:<line>: not valid JSON at byte <offset in the line>: <reason>"
std::string invalid_text(const std::string& source, uint64_t line,
                         const message::JsonProblem& problem) {
    return source + ":" + std::to_string(line) + ": not valid JSON at byte " +
           std::to_string(problem.offset) + ": " + problem.reason;
}

StreamTotals totals_of(const StreamOptions& o, const Pipeline& pipeline, uint64_t skipped) {
    const PipelineStats& s = pipeline.stats();
    return {o.channels, s.channel_receivers, s.confirmed, s.receivers, skipped};
}

}  // namespace

StreamResult send_stream(const InputFile& input, const config::Settings& settings,
                         const StreamOptions& o) {
    LineReader reader(fd_reader(input.fd), input.name);
    util::stop_signal_fd();  // SIGINT/SIGTERM end the reading, not the process

    Progress progress(Progress::wanted());
    PipelineOptions po;
    po.channels = o.channels;
    if (o.sharded) po.verb = "SPUBLISH";
    po.window = o.window;
    po.retry = o.retry;
    po.backoff.max_attempts = o.reconnect_max;
    po.min_receivers = o.min_receivers;
    po.before_log = [&progress] { progress.clear(); };
    po.next_line = [&reader] { return reader.lines_seen() + 1; };
    std::optional<redis::Connection> connection;
    try {
        // SIGINT/SIGTERM while connecting: nothing was sent, exit 130 as after any line.
        connection =
            redis::Connection::open(settings, redis::Connection::Protocol::resp2, true, true);
    } catch (const redis::Interrupted& e) {
        spdlog::warn("{}; nothing was sent", e.what());
        StreamResult stopped;
        stopped.interrupted = true;
        stopped.totals = {o.channels, std::vector<long long>(o.channels.size(), 0), 0, 0, 0};
        return stopped;
    }
    Pipeline pipeline(std::move(*connection), std::move(po));

    uint64_t skipped = 0;
    std::optional<InvalidLine> stopped_at;
    StreamResult result;
    auto summarise = [&] {
        progress.clear();
        result.totals = totals_of(o, pipeline, skipped);
        spdlog::info("{}", summary_text(result.totals, progress.elapsed_seconds()));
    };

    try {
        Line line;
        bool more = true;
        while (more && !stopped_at && !pipeline.failed()) {
            while (reader.next(line)) {
                if (!o.raw) {
                    if (auto problem = message::check_json(line.text)) {
                        InvalidLine bad{line.number,
                                        invalid_text(reader.source(), line.number, *problem)};
                        progress.clear();
                        if (!o.skip_invalid) {
                            spdlog::error("{}", bad.text);
                            stopped_at = std::move(bad);
                            break;
                        }
                        spdlog::warn("{}", bad.text);
                        ++skipped;
                        continue;
                    }
                }
                pipeline.add(line.text, line.number);
                if (pipeline.failed()) break;
            }
            if (stopped_at || pipeline.failed()) break;
            progress.update(pipeline.added(), pipeline.stats().confirmed, skipped);
            if (util::stop_requested()) {
                result.interrupted = true;
                break;
            }
            pipeline.reauthenticate_if_due();
            pipeline.send();  // before read(2) may wait for more input
            if (!wait_for_input(input.fd, pipeline)) {
                result.interrupted = true;
                break;
            }
            more = reader.refill();
        }
        pipeline.finish();
    } catch (const Error&) {
        summarise();
        throw;
    }
    summarise();

    if (result.interrupted) {
        spdlog::warn("stopped by a signal after line {} of {}; nothing after it was sent",
                     reader.lines_seen(), input.name);
    }
    if (stopped_at) {
        throw usage_error("stopped before line " + std::to_string(stopped_at->number) + " of " +
                              input.name + ": it and the lines after it were not sent",
                          "--skip-invalid skips invalid lines, --raw sends lines unchecked");
    }
    result.below_min = pipeline.stats().below_min;
    result.first_below_min_line = pipeline.stats().first_below_min_line;
    return result;
}

}  // namespace amr::publish
