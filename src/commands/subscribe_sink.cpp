#include "commands/subscribe_sink.hpp"

#include "util/glob.hpp"

namespace amr::commands {

QueueSink::QueueSink(output::MessageQueue& queue, SinkRules rules)
    : queue_(queue), rules_(std::move(rules)) {
    start_chunk();
}

bool QueueSink::is_excluded(std::string_view channel) const {
    for (const auto& pattern : rules_.excludes) {
        if (util::glob_match(pattern, channel)) return true;
    }
    return false;
}

bool QueueSink::on_message(const redis::PubSubEvent& e) {
    if (!rules_.excludes.empty() && is_excluded(e.channel)) {
        ++excluded_;
        return true;
    }
    output::append_record(chunk_, {.is_pattern = e.kind == redis::PubSubEvent::Kind::pmessage,
                                   .pattern = e.pattern,
                                   .channel = e.channel,
                                   .payload = e.payload,
                                   .received_at = batch_time(),
                                   .is_sharded = e.kind == redis::PubSubEvent::Kind::smessage});
    ++received_;
    active_ = true;
    if (rules_.count && received_ >= *rules_.count) return false;
    if (chunk_.bytes.size() >= chunk_size) flush();
    return true;
}

void QueueSink::on_idle() {
    flush();
    stale_ = true;
    if (rules_.idle && active_) {
        // The first call is the start: the subscriptions have just been sent.
        last_active_ = redis::Clock::now();
        active_ = false;
    }
}

redis::Deadline QueueSink::idle_deadline() const {
    if (!rules_.idle) return std::nullopt;
    return last_active_ + *rules_.idle;
}

void QueueSink::flush() {
    if (chunk_.records == 0) return;
    queue_.push(std::move(chunk_));
    start_chunk();
}

void QueueSink::start_chunk() {
    chunk_ = queue_.take_spare();
    chunk_.bytes.reserve(chunk_size + chunk_slack);
}

// Messages that came in one read share its receive time: one clock reading a batch,
// not a message, on the path that must keep up with the server.
util::SystemTime QueueSink::batch_time() {
    if (stale_) {
        now_ = std::chrono::system_clock::now();
        stale_ = false;
    }
    return now_;
}

}  // namespace amr::commands
