// The stdout side of a subscription: a thread that formats queued messages and writes
// them, a batch per write(2) when messages are waiting and each at once when they are
// not, so pipes see every message without delay.
#pragma once

#include <atomic>
#include <chrono>
#include <exception>
#include <optional>
#include <thread>

#include "output/formatter.hpp"
#include "output/message_queue.hpp"

namespace amr::output {

// Says on stderr how many messages the queue dropped since the last call, because
// `consumer` (stdout, the --exec commands) did not keep up.
void report_dropped(MessageQueue& queue, const char* consumer = "stdout");

class StreamWriter {
  public:
    StreamWriter(MessageQueue& queue, Formatter& formatter);
    // Closes the queue and joins the thread (abandoning a blocked write): the thread
    // points at the queue and formatter, which the caller's stack holds.
    ~StreamWriter();
    StreamWriter(const StreamWriter&) = delete;
    StreamWriter& operator=(const StreamWriter&) = delete;

    void start();
    // Waits for the writer to write what is queued (after queue.close()). With a
    // `patience`, gives up when stdout stays blocked that long: the blocked write is
    // interrupted, the rest dropped, the thread joined, and finish returns false.
    bool finish(std::optional<std::chrono::milliseconds> patience);

    long long written() const { return written_.load(); }
    bool consumer_gone() const { return consumer_gone_.load(); }
    // Rethrows what stopped the writer other than a closed stdout.
    void rethrow_failure();

  private:
    void loop();
    void abandon_and_join();

    MessageQueue& queue_;
    Formatter& formatter_;
    std::thread thread_;
    std::atomic<long long> written_{0};
    std::atomic<bool> consumer_gone_{false};
    std::atomic<bool> finished_{false};
    std::atomic<bool> abandon_{false};
    std::exception_ptr failure_;
};

}  // namespace amr::output
