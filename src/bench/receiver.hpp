// What one bench subscriber does with each payload it receives: decode the stamp, keep
// only this run's messages from its own publishers on its own channels, count them per
// stream (sequence.hpp) and record their latency (histogram.hpp). Anyone can publish on
// a bench channel, so every payload is hostile: a payload that is not ours is counted as
// rejected, never trusted.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bench/histogram.hpp"
#include "bench/sequence.hpp"
#include "bench/stamp.hpp"

namespace amr::bench {

struct ReceiverShape {
    uint32_t run = 0;
    uint32_t publishers = 1;
    std::vector<bool> channels;  // by index: subscribed to it
};

class Receiver {
  public:
    enum class Outcome { counted, warmup, rejected };

    explicit Receiver(ReceiverShape shape) : shape_(std::move(shape)) {}

    // `now_ns`: the time of arrival, on the clock of the stamps (since the run started).
    Outcome on_payload(std::string_view payload, uint64_t now_ns);

    const SequenceTracker& tracker() const { return tracker_; }
    const Histogram& latency() const { return latency_; }
    Histogram& latency() { return latency_; }
    uint64_t rejected() const { return rejected_; }
    uint64_t warmup() const { return warmup_; }
    // When the last counted message arrived (0: none yet).
    uint64_t last_arrival_ns() const { return last_arrival_ns_; }
    const ReceiverShape& shape() const { return shape_; }

  private:
    ReceiverShape shape_;
    SequenceTracker tracker_;
    Histogram latency_;
    uint64_t rejected_ = 0;
    uint64_t warmup_ = 0;
    uint64_t last_arrival_ns_ = 0;
};

}  // namespace amr::bench
