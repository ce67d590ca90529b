// The bounded buffer between the socket reader and the stdout writer: the reader never
// waits for stdout, so the server never has to buffer for amr. Messages travel as records
// packed into chunks (no allocation per message); when the buffer is over its limit the
// oldest chunks are dropped and their messages counted, never silently. Written chunks
// come back as spares, so the reader fills memory that is already mapped instead of
// taking page faults on fresh memory for every chunk.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "output/formatter.hpp"

namespace amr::output {

struct Chunk {
    std::string bytes;  // records, see append_record
    size_t records = 0;
};

// Appends one message to `chunk`.
void append_record(Chunk& chunk, const Received& message);
// Reads the record at `pos` and advances it; false at the end. Views point into `chunk`.
bool next_record(const Chunk& chunk, size_t& pos, Received& message);

class MessageQueue {
  public:
    explicit MessageQueue(size_t limit_bytes) : limit_(limit_bytes) {}

    // Adds a chunk (appended to the last one while that is small), dropping the oldest
    // chunks while over the limit (the newest stays).
    void push(Chunk chunk);
    // Waits until chunks arrive or the queue is closed; moves all of them into `out`.
    // Returns false once closed and empty.
    bool pop_all(std::vector<Chunk>& out);
    // Waits like pop_all, but takes the oldest chunk alone: the rest stays counted in
    // the buffer (for a consumer that is slow with every message, --exec).
    bool pop_one(Chunk& out);
    // No more pushes; pop_all returns what is left, then false.
    void close();
    // Messages dropped since the last call.
    size_t take_dropped();
    // An empty chunk for the reader to fill: a spare one when there is one.
    Chunk take_spare();
    // Gives a written chunk back for reuse (kept while few and not oversized).
    void give_back(Chunk chunk);
    size_t limit() const { return limit_; }

  private:
    void keep_spare(Chunk chunk);  // with the lock held

    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Chunk> chunks_;
    std::vector<Chunk> spares_;
    size_t bytes_ = 0;
    size_t dropped_ = 0;
    bool closed_ = false;
    const size_t limit_;
};

}  // namespace amr::output
