// The bounded buffer between the socket reader and the stdout writer: the reader never
// waits for stdout, so the server never has to buffer for amr. When the buffer is full
// the oldest messages are dropped and counted, never silently.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "redis/connection.hpp"
#include "util/clock.hpp"

namespace amr::output {

struct QueuedMessage {
    redis::ReplyPtr reply;  // the hiredis reply itself: no copy of the payload
    util::SystemTime received_at;
    size_t bytes = 0;  // what it costs in memory, for the limit
};

class MessageQueue {
public:
    explicit MessageQueue(size_t limit_bytes) : limit_(limit_bytes) {}

    // Adds a message, dropping the oldest ones while over the limit (the new one stays).
    void push(QueuedMessage message);
    // Waits until messages arrive or the queue is closed; moves all of them into `out`.
    // Returns false once closed and empty.
    bool pop_all(std::vector<QueuedMessage>& out);
    // No more pushes; pop_all returns what is left, then false.
    void close();
    // Messages dropped since the last call.
    size_t take_dropped();
    size_t limit() const { return limit_; }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<QueuedMessage> messages_;
    size_t bytes_ = 0;
    size_t dropped_ = 0;
    bool closed_ = false;
    const size_t limit_;
};

// Approximate memory of a hiredis pub/sub reply: the strings plus hiredis's objects.
size_t reply_cost(const redisReply* reply);

}  // namespace amr::output
