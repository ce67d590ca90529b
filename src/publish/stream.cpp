#include "publish/stream.hpp"

#include <spdlog/spdlog.h>

#include "error.hpp"
#include "message/envelope.hpp"
#include "message/json_check.hpp"
#include "publish/line_reader.hpp"
#include "publish/pacer.hpp"
#include "publish/session.hpp"
#include "redis/socket.hpp"
#include "util/clock.hpp"
#include "util/signals.hpp"

namespace amr::publish {
namespace {

struct InvalidLine {
    uint64_t number;
    std::string text;  // "<source>:<line>: <reason>"
};

// What taking one line did.
enum class Taken { added, invalid, stopped };

// The loop of every stream of lines: `take(line, problem)` adds the line's message to the
// pipeline (Taken::added), or says why the line is invalid, or that a signal came while it
// waited. `hint` goes with the usage error that stops before an invalid line.
template <typename Take>
StreamResult stream_lines(const InputFile& input, const config::Settings& settings,
                          const StreamOptions& o, const char* hint, Take&& take) {
    LineReader reader(fd_reader(input.fd), input.name);
    std::optional<Session> session =
        Session::open(settings, o, [&reader] { return reader.lines_seen() + 1; });
    if (!session) return Session::nothing_sent(o);
    Progress& progress = session->progress();

    uint64_t skipped = 0;
    bool interrupted = false;
    std::optional<InvalidLine> stopped_at;
    std::string problem;
    uint64_t waited_before = 0;  // the line a signal came before, while take() waited

    try {
        Line line;
        bool more = true;
        while (more && !stopped_at && !session->failed() && !interrupted) {
            while (reader.next(line)) {
                const Taken taken = take(*session, line, problem);
                if (taken == Taken::invalid) {
                    InvalidLine bad{line.number, reader.source() + ":" +
                                                     std::to_string(line.number) + ": " + problem};
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
                if (taken == Taken::stopped) {
                    interrupted = true;
                    waited_before = line.number;
                    break;
                }
                if (session->failed()) break;
            }
            if (stopped_at || session->failed() || interrupted) break;
            progress.update(session->added(), session->confirmed(), skipped);
            if (util::stop_requested()) {
                interrupted = true;
                break;
            }
            session->reauthenticate_if_due();
            session->send();  // before read(2) may wait for more input
            if (!session->wait(input.fd, std::nullopt)) {
                interrupted = true;
                break;
            }
            more = reader.refill();
        }
        session->finish();
    } catch (const Error&) {
        session->summarise(skipped, interrupted);
        throw;
    }
    StreamResult result = session->summarise(skipped, interrupted);

    if (result.interrupted) {
        spdlog::warn("stopped by a signal after line {} of {}; nothing after it was sent",
                     waited_before > 0 ? waited_before - 1 : reader.lines_seen(), input.name);
    }
    if (stopped_at) {
        throw usage_error("stopped before line " + std::to_string(stopped_at->number) + " of " +
                              input.name + ": it and the lines after it were not sent",
                          hint);
    }
    return result;
}

}  // namespace

StreamResult send_stream(const InputFile& input, const config::Settings& settings,
                         const StreamOptions& o) {
    return stream_lines(input, settings, o,
                        "--skip-invalid skips invalid lines, --raw sends lines unchecked",
                        [&o](Session& session, const Line& line, std::string& problem) {
                            if (!o.raw) {
                                if (auto bad = message::check_json(line.text)) {
                                    problem = "not valid JSON at byte " +
                                              std::to_string(bad->offset) + ": " + bad->reason;
                                    return Taken::invalid;
                                }
                            }
                            session.pipeline().add(line.text, line.number);
                            return Taken::added;
                        });
}

StreamResult send_envelope(const InputFile& input, const config::Settings& settings,
                           const EnvelopeOptions& o) {
    message::EnvelopeDecoder decoder(o.pace_received);
    message::Envelope envelope;
    ReplayPacer pacer(o.speed);
    StreamOptions so = o.stream;
    so.per_message = true;
    so.channels.clear();
    return stream_lines(
        input, settings, so, "--skip-invalid skips invalid lines",
        [&](Session& session, const Line& line, std::string& problem) {
            if (auto bad = decoder.decode(line.text, envelope)) {
                problem = std::move(*bad);
                return Taken::invalid;
            }
            if (o.pace_received) {
                const auto stamp = util::parse_utc_iso(envelope.received_at);
                if (!stamp) {
                    problem = envelope.received_at.empty()
                                  ? "no \"received_at\" field (--pace received needs it)"
                                  : "\"received_at\" is not a time such as "
                                    "2025-11-20T12:31:14.906Z";
                    return Taken::invalid;
                }
                const auto at = pacer.planned(*stamp, ReplayPacer::Clock::now());
                if (ReplayPacer::Clock::now() < at) {
                    session.send();
                    if (!session.wait(std::nullopt, at)) return Taken::stopped;
                }
            }
            Pipeline* pipeline = nullptr;
            try {  // may connect to a shard
                pipeline = &session.pipeline_for(envelope.channel, envelope.sharded);
            } catch (const redis::Interrupted& e) {
                spdlog::warn("{}", e.what());
                return Taken::stopped;
            }
            pipeline->add_to(envelope.channel, envelope.sharded, envelope.payload, line.number);
            return Taken::added;
        });
}

}  // namespace amr::publish
