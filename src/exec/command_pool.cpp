#include "exec/command_pool.hpp"

#include <algorithm>

namespace amr::exec {

CommandPool::CommandPool(size_t jobs) : jobs_(std::max<size_t>(jobs, 1)) {
    workers_.reserve(jobs_);
    for (size_t i = 0; i < jobs_; ++i) workers_.emplace_back([this] { work(); });
}

CommandPool::~CommandPool() {
    finish();
}

void CommandPool::submit(std::function<void()> task) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return outstanding_ < jobs_; });
    ++outstanding_;
    tasks_.push_back(std::move(task));
    changed_.notify_all();
}

void CommandPool::work() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [this] { return !tasks_.empty() || closing_; });
            if (tasks_.empty()) return;
            task = std::move(tasks_.front());
            tasks_.pop_front();
        }
        std::exception_ptr thrown;
        try {
            task();
        } catch (...) {
            thrown = std::current_exception();
        }
        {
            std::lock_guard lock(mutex_);
            if (thrown && !failure_) failure_ = thrown;
            --outstanding_;
        }
        changed_.notify_all();
    }
}

void CommandPool::finish() {
    {
        std::lock_guard lock(mutex_);
        if (closing_) return;
        closing_ = true;
    }
    changed_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
}

}  // namespace amr::exec
