// One thread of amr bench: a poll loop over its publishers' and subscribers' connections,
// sharing its counts with the thread that prints progress.
#pragma once

#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

#include "bench/histogram.hpp"
#include "bench/publisher.hpp"
#include "bench/subscriber.hpp"

namespace amr::bench {

// What every thread shares.
struct RunControl {
    RunClock clock;                           // set before go
    std::atomic<bool> go{false};              // publishers may start
    std::atomic<bool> stop_sending{false};    // publishers send no more
    std::atomic<bool> stop{false};            // the loops end
    std::vector<std::atomic<uint64_t>> sent;  // per publisher: measured messages sent
    std::atomic<uint64_t> publishers_done{0};
    std::mutex error_mutex;
    std::exception_ptr error;  // the first failure of a thread

    explicit RunControl(size_t publishers) : sent(publishers) {}
    void fail(std::exception_ptr e);
};

// A thread's counts, refreshed a few times a second.
struct WorkerCounts {
    std::atomic<uint64_t> published{0};  // measured PUBLISH answered
    std::atomic<uint64_t> delivered{0};  // distinct messages received
    std::atomic<uint64_t> missing{0};    // gaps so far
    std::atomic<uint64_t> last_arrival_ns{0};
    std::mutex mutex;
    Histogram latency;  // a copy of the subscribers' (under mutex)
};

class Worker {
  public:
    Worker(RunControl& control) : control_(control) {}

    std::vector<std::unique_ptr<Publisher>> publishers;
    std::vector<std::unique_ptr<BenchSubscriber>> subscribers;
    WorkerCounts counts;

    // The loop, until control.stop; failures go to control.fail().
    void run();

  private:
    void loop();
    void share();

    RunControl& control_;
    std::vector<bool> done_;  // per publisher: counted in publishers_done
};

}  // namespace amr::bench
