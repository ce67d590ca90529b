#include "output/stream_writer.hpp"

#include <spdlog/spdlog.h>

#include "output/stdout_sink.hpp"
#include "util/signals.hpp"

namespace amr::output {

namespace {

// Large enough to make few write(2) calls under load, small enough to start writing
// soon after a backlog begins to drain.
constexpr size_t write_size = 64 * 1024;

}  // namespace

void report_dropped(MessageQueue& queue, const char* consumer) {
    if (size_t dropped = queue.take_dropped()) {
        spdlog::warn(
            "dropped the {} oldest message(s): {} did not keep up and the "
            "--buffer of {} bytes was full",
            dropped, consumer, queue.limit());
    }
}

StreamWriter::StreamWriter(MessageQueue& queue, Formatter& formatter)
    : queue_(queue), formatter_(formatter) {}

StreamWriter::~StreamWriter() {
    if (!thread_.joinable()) return;
    queue_.close();
    abandon_and_join();
}

void StreamWriter::abandon_and_join() {
    abandon_ = true;
    // The write may not have begun when a signal arrives: interrupt until the loop ends.
    while (!finished_.load()) {
        util::interrupt_thread(thread_.native_handle());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    thread_.join();
}

void StreamWriter::start() {
    thread_ = std::thread([this] { loop(); });
}

void StreamWriter::loop() {
    std::vector<Chunk> chunks;
    std::string text;
    long long pending = 0;
    auto flush = [&] {
        write_stdout(text, &abandon_);
        text.clear();
        written_ += pending;
        pending = 0;
    };
    try {
        while (queue_.pop_all(chunks)) {
            report_dropped(queue_);
            for (const Chunk& chunk : chunks) {
                size_t pos = 0;
                Received m;
                while (next_record(chunk, pos, m)) {
                    formatter_.append(m, text);
                    ++pending;
                    if (text.size() >= write_size) flush();
                }
            }
            for (Chunk& chunk : chunks) queue_.give_back(std::move(chunk));
            chunks.clear();
            if (!text.empty()) flush();
        }
        report_dropped(queue_);
    } catch (const StdoutClosed&) {
        consumer_gone_ = true;
        util::request_stop();
    } catch (const WriteAbandoned&) {
    } catch (...) {
        failure_ = std::current_exception();
        util::request_stop();
    }
    finished_ = true;
}

bool StreamWriter::finish(std::optional<std::chrono::milliseconds> patience) {
    auto until = std::chrono::steady_clock::now() + patience.value_or(std::chrono::hours(1));
    while (patience && !finished_.load()) {
        if (std::chrono::steady_clock::now() >= until) {
            abandon_and_join();
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    thread_.join();
    return true;
}

void StreamWriter::rethrow_failure() {
    if (failure_) std::rethrow_exception(failure_);
}

}  // namespace amr::output
