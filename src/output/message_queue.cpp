#include "output/message_queue.hpp"

namespace amr::output {

void MessageQueue::push(QueuedMessage message) {
    {
        std::lock_guard lock(mutex_);
        bytes_ += message.bytes;
        messages_.push_back(std::move(message));
        while (bytes_ > limit_ && messages_.size() > 1) {
            bytes_ -= messages_.front().bytes;
            messages_.pop_front();
            ++dropped_;
        }
    }
    ready_.notify_one();
}

bool MessageQueue::pop_all(std::vector<QueuedMessage>& out) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [this] { return !messages_.empty() || closed_; });
    if (messages_.empty()) return false;
    for (auto& m : messages_) out.push_back(std::move(m));
    messages_.clear();
    bytes_ = 0;
    return true;
}

void MessageQueue::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    ready_.notify_all();
}

size_t MessageQueue::take_dropped() {
    std::lock_guard lock(mutex_);
    size_t n = dropped_;
    dropped_ = 0;
    return n;
}

size_t reply_cost(const redisReply* reply) {
    constexpr size_t object_overhead = 64;  // a redisReply and its malloc header
    size_t bytes = object_overhead + reply->elements * (object_overhead + sizeof(void*));
    for (size_t i = 0; i < reply->elements; ++i) bytes += reply->element[i]->len;
    return bytes;
}

}  // namespace amr::output
