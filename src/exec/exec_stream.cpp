#include "exec/exec_stream.hpp"

#include <spdlog/spdlog.h>

#include "exec/message_command.hpp"
#include "output/stdout_sink.hpp"
#include "output/stream_writer.hpp"
#include "output/terminal_escape.hpp"
#include "util/signals.hpp"

namespace amr::exec {

// One message, copied out of the buffer's chunk for a worker.
struct ExecStream::Job {
    const char* type;
    std::string channel;
    std::string pattern;
    std::string payload;
    util::SystemTime received_at;
};

ExecStream::ExecStream(output::MessageQueue& queue, ExecOptions options)
    : queue_(queue), options_(std::move(options)), pool_(options_.jobs) {}

ExecStream::~ExecStream() {
    if (!thread_.joinable()) return;
    queue_.close();
    finish(std::chrono::milliseconds(0));
}

void ExecStream::start() {
    thread_ = std::thread([this] { loop(); });
}

void ExecStream::halt() {
    halted_ = true;
    util::request_stop();  // the socket reader stops taking messages
}

void ExecStream::loop() {
    try {
        output::Chunk chunk;
        while (queue_.pop_one(chunk)) {
            output::report_dropped(queue_, "the --exec commands");
            size_t pos = 0;
            output::Received m;
            while (next_record(chunk, pos, m)) {
                if (halted_ || util::stop_requested()) {
                    ++not_run_;
                    continue;
                }
                Job job{m.is_pattern   ? "pmessage"
                        : m.is_sharded ? "smessage"
                                       : "message",
                        std::string(m.channel), std::string(m.pattern), std::string(m.payload),
                        m.received_at};
                pool_.submit([this, job = std::move(job)] { run(job); });
            }
            queue_.give_back(std::move(chunk));
            chunk = {};
        }
        output::report_dropped(queue_, "the --exec commands");
    } catch (...) {
        failure_ = std::current_exception();
        halt();
    }
    pool_.finish();
    if (!failure_) failure_ = pool_.failure();
    finished_ = true;
}

void ExecStream::write_out(std::string_view text) {
    if (abandon_) return;
    {
        std::lock_guard lock(writer_mutex_);
        writer_ = pthread_self();
    }
    try {
        output::write_stdout(text, &abandon_);
    } catch (const output::StdoutClosed&) {
        if (!consumer_gone_.exchange(true)) halt();
    } catch (const output::WriteAbandoned&) {
    }
    std::lock_guard lock(writer_mutex_);
    writer_.reset();
}

void ExecStream::run(const Job& job) {
    // Given to a worker before a stop: it was never started, so it is counted as such.
    if (halted_ || util::stop_requested()) {
        ++not_run_;
        return;
    }
    ++given_;
    const std::string where = output::terminal_escaped(job.channel);
    MessageEnvironment env;
    if (!env.build({job.type, job.channel, job.pattern, job.received_at})) {
        ++failed_;
        spdlog::error("--exec: message on '{}' not run: {}", where, env.error());
        if (options_.fail_fast && !failed_fast_.exchange(true)) halt();
        return;
    }
    std::unique_lock out_lock(stdout_mutex_, std::defer_lock);
    auto take_stdout = [&](std::string_view text) {
        if (text.empty() || consumer_gone_) return;
        if (!out_lock.owns_lock()) out_lock.lock();
        write_out(text);
    };
    util::CommandLimits limits{.timeout = std::nullopt,
                               .max_output = options_.collect_limit,
                               .overflow = take_stdout,
                               .stop = [this] { return kill_.load(); }};
    const MessageCommandResult result =
        run_message_command(options_.command, job.payload, env, limits);
    take_stdout(result.run.out);
    if (result.ok()) return;
    ++failed_;
    spdlog::error("--exec: the command for a message on '{}' failed: {}", where, result.describe());
    if (options_.fail_fast && !failed_fast_.exchange(true)) halt();
}

bool ExecStream::finish(std::optional<std::chrono::milliseconds> patience) {
    if (!thread_.joinable()) return true;
    bool killed = false;
    if (patience) {
        halted_ = true;
        const auto until = std::chrono::steady_clock::now() + *patience;
        while (!finished_.load() && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (!finished_.load()) {
            kill_ = true;
            abandon_ = true;
            killed = true;
        }
        // A write to a stdout nobody reads may not have begun yet: interrupt until done.
        while (killed && !finished_.load()) {
            {
                std::lock_guard lock(writer_mutex_);
                if (writer_) util::interrupt_thread(*writer_);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    thread_.join();
    return !killed;
}

void ExecStream::rethrow_failure() {
    if (failure_) std::rethrow_exception(failure_);
}

}  // namespace amr::exec
