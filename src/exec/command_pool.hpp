// Up to N tasks at once (`--jobs N`), each on a worker thread that lives as long as the
// pool, so a command started there outlives nothing it depends on (PR_SET_PDEATHSIG
// follows the thread that forked). Nothing queues inside the pool: submit() waits for a
// free worker, so work waiting its turn stays where the caller keeps it (the --buffer).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace amr::exec {

class CommandPool {
  public:
    explicit CommandPool(size_t jobs);
    ~CommandPool();  // finish()
    CommandPool(const CommandPool&) = delete;
    CommandPool& operator=(const CommandPool&) = delete;

    // Waits until a worker is free and hands it `task`. With one worker the tasks run one
    // after another in the order given.
    void submit(std::function<void()> task);
    // Waits until every task given has ended; then the workers are gone.
    void finish();
    size_t jobs() const { return jobs_; }
    // What the first task that threw threw (after finish()); the others still ran.
    std::exception_ptr failure() const { return failure_; }

  private:
    void work();

    const size_t jobs_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::function<void()>> tasks_;
    size_t outstanding_ = 0;  // given and not yet ended
    bool closing_ = false;
    std::exception_ptr failure_;
    std::vector<std::thread> workers_;
};

}  // namespace amr::exec
