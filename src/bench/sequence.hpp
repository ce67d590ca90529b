// What one subscriber received of each stream (a publisher's messages on one channel,
// numbered from 0): how many, the gaps (lost), duplicates and reorders. Memory is bounded
// whatever numbers arrive: a stream costs a few words while its messages come in order,
// and a window of the last `window_bits` numbers (512 bytes) once one came out of order;
// the number of streams is bounded by the caller (publishers x channels).
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

namespace amr::bench {

enum class Arrival { in_order, ahead, late, duplicate };

class StreamTracker {
  public:
    static constexpr uint64_t window_bits = 4096;

    // A message numbered `sequence` arrived. `ahead`: numbers were skipped (missing until
    // they come); `late`: it fills such a gap (a reorder); `duplicate`: seen before, or
    // older than the window, where a duplicate and a very late message look the same.
    Arrival receive(uint64_t sequence);

    uint64_t unique() const { return unique_; }           // distinct numbers received
    uint64_t next() const { return next_; }               // 1 + the highest number received
    uint64_t missing() const { return next_ - unique_; }  // below next(), not received
    // Lost once the publisher has sent `published` messages on the stream, all of which
    // had the time to arrive.
    uint64_t lost(uint64_t published) const {
        return published > unique_ ? published - unique_ : 0;
    }

  private:
    bool test(uint64_t seq) const;
    void set(uint64_t seq);
    void advance_to(uint64_t seq);  // makes seq the highest, numbers between it missing

    uint64_t next_ = 0;
    uint64_t unique_ = 0;
    // Bit seq % window_bits for numbers in [next_ - window_bits, next_): received. Made at
    // the first gap; before it every number below next_ was received.
    std::unique_ptr<uint64_t[]> window_;
};

struct SequenceCounts {
    uint64_t received = 0;  // every stamped message of this run
    uint64_t duplicates = 0;
    uint64_t reorders = 0;
};

// A subscriber's streams, keyed by publisher and channel.
class SequenceTracker {
  public:
    Arrival receive(uint32_t publisher, uint32_t channel, uint64_t sequence);
    const SequenceCounts& counts() const { return counts_; }
    uint64_t unique() const { return counts_.received - counts_.duplicates; }
    // Numbers skipped so far (some may still come, late).
    uint64_t missing() const;
    // The stream's tracker, or null when nothing came on it.
    const StreamTracker* stream(uint32_t publisher, uint32_t channel) const;

  private:
    static uint64_t key(uint32_t publisher, uint32_t channel) {
        return (uint64_t{publisher} << 32) | channel;
    }
    std::unordered_map<uint64_t, StreamTracker> streams_;
    StreamTracker* last_ = nullptr;  // messages come in runs from one stream
    uint64_t last_key_ = UINT64_MAX;
    SequenceCounts counts_;
};

}  // namespace amr::bench
