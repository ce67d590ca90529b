#include "bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace amr::bench {

size_t Histogram::index_of(uint64_t value) {
    if (value < sub_count) return static_cast<size_t>(value);
    const int msb = 63 - std::countl_zero(value);
    const int shift = msb - sub_bits;
    const uint64_t sub = (value >> shift) - sub_count;
    return static_cast<size_t>(sub_count + static_cast<uint64_t>(shift) * sub_count + sub);
}

uint64_t Histogram::lower_bound(size_t index) {
    if (index < sub_count) return index;
    const uint64_t octave = (index - sub_count) / sub_count;
    const uint64_t sub = (index - sub_count) % sub_count;
    return (sub_count + sub) << octave;
}

uint64_t Histogram::width(size_t index) {
    if (index < sub_count) return 1;
    return uint64_t{1} << ((index - sub_count) / sub_count);
}

void Histogram::record(uint64_t nanoseconds) {
    ++buckets_[index_of(nanoseconds)];
    ++count_;
    max_ = std::max(max_, nanoseconds);
    min_ = std::min(min_, nanoseconds);
    sum_ += static_cast<long double>(nanoseconds);
}

void Histogram::merge(const Histogram& other) {
    for (size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
    min_ = std::min(min_, other.min_);
    sum_ += other.sum_;
}

double Histogram::mean() const {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

uint64_t Histogram::percentile(double q) const {
    if (count_ == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::clamp<uint64_t>(rank, 1, count_);
    if (rank == count_) return max_;  // the largest value is known exactly
    uint64_t seen = 0;
    for (size_t i = 0; i < bucket_count; ++i) {
        seen += buckets_[i];
        if (seen >= rank) {
            const uint64_t middle = lower_bound(i) + width(i) / 2;
            return std::min(std::max(middle, min()), max_);
        }
    }
    return max_;
}

}  // namespace amr::bench
