// The --exec side of a subscription, in place of the stdout writer: a thread that takes
// the messages from the buffer in order and runs the command for each, on up to --jobs
// workers. A message waits in the buffer (output::MessageQueue, which drops the oldest
// when full and says so) until a worker is free. Each command's stdout is collected and
// written to amr's stdout in one piece when it ends, so outputs never mix; one that
// prints more than `collect_limit` takes stdout for itself until it ends (the others'
// outputs wait), so memory stays within jobs x collect_limit.
#pragma once

#include <pthread.h>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "exec/command_pool.hpp"
#include "output/message_queue.hpp"

namespace amr::exec {

struct ExecOptions {
    std::string command;
    size_t jobs = 1;
    bool fail_fast = false;  // stop taking messages after the first failed command
    size_t collect_limit = 1024 * 1024;
};

class ExecStream {
  public:
    ExecStream(output::MessageQueue& queue, ExecOptions options);
    ~ExecStream();  // as finish(0 ms)
    ExecStream(const ExecStream&) = delete;
    ExecStream& operator=(const ExecStream&) = delete;

    void start();
    // After queue.close(): without `patience`, runs every queued message and waits for
    // the commands. With it (after a signal or a failure), starts no more commands and
    // waits that long for the running ones, then kills them and abandons a write to a
    // stdout that is not being read. Returns false if it had to.
    bool finish(std::optional<std::chrono::milliseconds> patience);

    // Messages given to the command (started, or refused for a NUL byte), and of those
    // the ones that failed.
    long long given() const { return given_.load(); }
    long long failed() const { return failed_.load(); }
    long long not_run() const { return not_run_.load(); }
    bool failed_fast() const { return failed_fast_.load(); }
    bool consumer_gone() const { return consumer_gone_.load(); }
    // Rethrows what stopped the stream other than a closed stdout or a failed command.
    void rethrow_failure();

  private:
    struct Job;
    void loop();
    void run(const Job& job);
    void write_out(std::string_view text);
    void halt();

    output::MessageQueue& queue_;
    const ExecOptions options_;
    CommandPool pool_;
    std::thread thread_;
    std::mutex stdout_mutex_;
    // The worker writing to stdout, for finish() to interrupt when stdout is blocked.
    std::mutex writer_mutex_;
    std::optional<pthread_t> writer_;
    std::atomic<bool> abandon_{false};
    std::atomic<bool> halted_{false};  // start no more commands
    std::atomic<bool> kill_{false};    // kill the running ones
    std::atomic<bool> finished_{false};
    std::atomic<long long> given_{0}, failed_{0}, not_run_{0};
    std::atomic<bool> failed_fast_{false}, consumer_gone_{false};
    std::exception_ptr failure_;
};

}  // namespace amr::exec
