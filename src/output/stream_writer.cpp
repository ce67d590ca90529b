#include "output/stream_writer.hpp"

#include <spdlog/spdlog.h>

#include "output/stdout_sink.hpp"
#include "redis/subscriber.hpp"
#include "util/signals.hpp"

namespace amr::output {

namespace {

void report_dropped(MessageQueue& queue) {
    if (size_t dropped = queue.take_dropped()) {
        spdlog::warn("dropped the {} oldest message(s): stdout did not keep up and the "
                     "--buffer of {} bytes was full",
                     dropped, queue.limit());
    }
}

}  // namespace

StreamWriter::StreamWriter(MessageQueue& queue, Formatter& formatter)
    : queue_(queue), formatter_(formatter) {}

StreamWriter::~StreamWriter() {
    if (thread_.joinable()) thread_.detach();  // only when finish() gave up on stdout
}

void StreamWriter::start() {
    thread_ = std::thread([this] { loop(); });
}

void StreamWriter::loop() {
    std::vector<QueuedMessage> batch;
    std::string text;
    try {
        while (queue_.pop_all(batch)) {
            report_dropped(queue_);
            text.clear();
            for (const auto& m : batch) {
                const redis::PubSubEvent e = redis::decode_pubsub(m.reply.get());
                formatter_.append({.is_pattern = e.kind == redis::PubSubEvent::Kind::pmessage,
                                   .pattern = e.pattern,
                                   .channel = e.channel,
                                   .payload = e.payload,
                                   .received_at = m.received_at},
                                  text);
            }
            const auto n = static_cast<long long>(batch.size());
            batch.clear();  // free the replies before the write may block
            write_stdout(text);
            written_ += n;
        }
        report_dropped(queue_);
    } catch (const StdoutClosed&) {
        consumer_gone_ = true;
        util::request_stop();
    } catch (...) {
        failure_ = std::current_exception();
        util::request_stop();
    }
    finished_ = true;
}

bool StreamWriter::finish(std::optional<std::chrono::milliseconds> patience) {
    auto until = std::chrono::steady_clock::now() + patience.value_or(std::chrono::hours(1));
    while (patience && !finished_.load()) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    thread_.join();
    return true;
}

void StreamWriter::rethrow_failure() {
    if (failure_) std::rethrow_exception(failure_);
}

}  // namespace amr::output
