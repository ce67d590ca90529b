#include "publish/generate.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "error.hpp"
#include "util/signals.hpp"

namespace amr::publish {

StreamResult send_generated(const config::Settings& settings, const GenerateOptions& o) {
    std::uint64_t made = 0;
    StreamOptions so = o.stream;
    if (o.make_channels) {
        so.per_message = true;
        so.channels.clear();
    }
    std::optional<Session> session = Session::open(settings, so, [&made] { return made + 1; });
    if (!session) return Session::nothing_sent(so);
    std::vector<std::string> channels;
    Pipeline& pipeline = session->pipeline();
    Progress& progress = session->progress();

    bool interrupted = false;
    Pacer pacer = o.pacer;
    pacer.start(Pacer::Clock::now());
    try {
        while (made < o.count && !pipeline.failed()) {
            if (util::stop_requested()) {
                interrupted = true;
                break;
            }
            // Every message due now goes into the pipeline together; a paced stream waits
            // for the next one's planned time meanwhile taking replies.
            const std::uint64_t due = pacer.due(Pacer::Clock::now(), o.count);
            while (made < due && !pipeline.failed() && !util::stop_requested()) {
                const auto now = o.timed ? std::chrono::system_clock::now() : util::SystemTime{};
                const std::string text = o.make(made + 1, now);
                ++made;
                if (!o.make_channels) {
                    pipeline.add(text, made);
                    continue;
                }
                o.make_channels(made, now, channels);
                for (size_t c = 0; c < channels.size(); ++c) {
                    pipeline.add_to(channels[c], so.sharded, text, made, c + 1 == channels.size());
                }
            }
            progress.update(pipeline.added(), pipeline.stats().confirmed, 0);
            pipeline.reauthenticate_if_due();
            pipeline.send();
            if (made < o.count && pacer.paced() &&
                !session->wait(std::nullopt, pacer.planned(made))) {
                interrupted = true;
                break;
            }
        }
        pipeline.finish();
    } catch (const Error&) {
        session->summarise(0, interrupted);
        throw;
    }
    StreamResult result = session->summarise(0, interrupted);
    if (interrupted) {
        spdlog::warn("stopped by a signal after message {} of {}; nothing after it was sent", made,
                     o.count);
    }
    return result;
}

}  // namespace amr::publish
