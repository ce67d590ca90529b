#include "bench/sequence.hpp"

#include <algorithm>

namespace amr::bench {
namespace {

constexpr uint64_t words = StreamTracker::window_bits / 64;

}  // namespace

bool StreamTracker::test(uint64_t seq) const {
    const uint64_t bit = seq % window_bits;
    return (window_[bit / 64] >> (bit % 64)) & 1;
}

void StreamTracker::set(uint64_t seq) {
    const uint64_t bit = seq % window_bits;
    window_[bit / 64] |= uint64_t{1} << (bit % 64);
}

void StreamTracker::advance_to(uint64_t seq) {
    if (!window_) {
        window_ = std::make_unique<uint64_t[]>(words);
        std::fill(window_.get(), window_.get() + words, ~uint64_t{0});  // all came so far
    }
    if (seq - next_ >= window_bits) {
        std::fill(window_.get(), window_.get() + words, 0);
    } else {
        for (uint64_t s = next_; s < seq; ++s) {
            const uint64_t bit = s % window_bits;
            window_[bit / 64] &= ~(uint64_t{1} << (bit % 64));
        }
    }
    set(seq);
    next_ = seq + 1;
}

Arrival StreamTracker::receive(uint64_t seq) {
    if (seq == next_) {
        if (window_) set(seq);
        next_ = seq + 1;
        ++unique_;
        return Arrival::in_order;
    }
    if (seq > next_) {
        if (seq == UINT64_MAX) return Arrival::duplicate;  // next_ could not pass it
        advance_to(seq);
        ++unique_;
        return Arrival::ahead;
    }
    // Below next_: every number was received unless a gap made the window, and numbers
    // older than the window cannot be told.
    if (!window_ || next_ - seq > window_bits || test(seq)) return Arrival::duplicate;
    set(seq);
    ++unique_;
    return Arrival::late;
}

Arrival SequenceTracker::receive(uint32_t publisher, uint32_t channel, uint64_t sequence) {
    const uint64_t k = key(publisher, channel);
    if (k != last_key_) {
        last_ = &streams_[k];  // unordered_map keeps elements in place
        last_key_ = k;
    }
    const Arrival a = last_->receive(sequence);
    ++counts_.received;
    if (a == Arrival::duplicate) ++counts_.duplicates;
    if (a == Arrival::late) ++counts_.reorders;
    return a;
}

uint64_t SequenceTracker::missing() const {
    uint64_t n = 0;
    for (const auto& [k, s] : streams_) n += s.missing();
    return n;
}

const StreamTracker* SequenceTracker::stream(uint32_t publisher, uint32_t channel) const {
    auto it = streams_.find(key(publisher, channel));
    return it == streams_.end() ? nullptr : &it->second;
}

}  // namespace amr::bench
