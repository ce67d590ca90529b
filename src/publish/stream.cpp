#include "publish/stream.hpp"

#include <spdlog/spdlog.h>

#include "error.hpp"
#include "message/json_check.hpp"
#include "publish/line_reader.hpp"
#include "publish/session.hpp"
#include "util/signals.hpp"

namespace amr::publish {
namespace {

struct InvalidLine {
    uint64_t number;
    std::string text;  // "<source>:<line>: not valid JSON at byte N: reason"
};

// "<source>:<line>: not valid JSON at byte <offset in the line>: <reason>"
std::string invalid_text(const std::string& source, uint64_t line,
                         const message::JsonProblem& problem) {
    return source + ":" + std::to_string(line) + ": not valid JSON at byte " +
           std::to_string(problem.offset) + ": " + problem.reason;
}

}  // namespace

StreamResult send_stream(const InputFile& input, const config::Settings& settings,
                         const StreamOptions& o) {
    LineReader reader(fd_reader(input.fd), input.name);
    std::optional<Session> session =
        Session::open(settings, o, [&reader] { return reader.lines_seen() + 1; });
    if (!session) return Session::nothing_sent(o);
    Pipeline& pipeline = session->pipeline();
    Progress& progress = session->progress();

    uint64_t skipped = 0;
    bool interrupted = false;
    std::optional<InvalidLine> stopped_at;

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
                interrupted = true;
                break;
            }
            pipeline.reauthenticate_if_due();
            pipeline.send();  // before read(2) may wait for more input
            if (!session->wait(input.fd, std::nullopt)) {
                interrupted = true;
                break;
            }
            more = reader.refill();
        }
        pipeline.finish();
    } catch (const Error&) {
        session->summarise(skipped, interrupted);
        throw;
    }
    StreamResult result = session->summarise(skipped, interrupted);

    if (result.interrupted) {
        spdlog::warn("stopped by a signal after line {} of {}; nothing after it was sent",
                     reader.lines_seen(), input.name);
    }
    if (stopped_at) {
        throw usage_error("stopped before line " + std::to_string(stopped_at->number) + " of " +
                              input.name + ": it and the lines after it were not sent",
                          "--skip-invalid skips invalid lines, --raw sends lines unchecked");
    }
    return result;
}

}  // namespace amr::publish
