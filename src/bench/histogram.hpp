// End-to-end latency of amr bench: a log-linear histogram (HDR-style) of nanoseconds.
// Values below 128 ns have a bucket each; above, every power of two is cut into 128
// buckets, so a bucket is at most 1/128 of its lower bound wide and a percentile (the
// middle of its bucket) is within 0.4% of the exact one, from 1 ns to 2^64 ns. Fixed
// size (7424 counters), so recording never allocates and histograms of different threads
// merge by adding counters.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace amr::bench {

class Histogram {
  public:
    static constexpr int sub_bits = 7;
    static constexpr uint64_t sub_count = uint64_t{1} << sub_bits;  // buckets per octave
    static constexpr size_t bucket_count = sub_count + (64 - sub_bits) * sub_count;

    void record(uint64_t nanoseconds);
    void merge(const Histogram& other);
    void clear() { *this = Histogram{}; }

    uint64_t count() const { return count_; }
    uint64_t max() const { return max_; }
    uint64_t min() const { return count_ == 0 ? 0 : min_; }
    double mean() const;
    // The value below which a fraction `q` (0 < q <= 1) of the values lie (nearest rank:
    // the ceil(q * count)-th smallest), as the middle of its bucket, never above max();
    // 0 when empty.
    uint64_t percentile(double q) const;

    static size_t index_of(uint64_t value);
    static uint64_t lower_bound(size_t index);
    static uint64_t width(size_t index);

  private:
    std::array<uint64_t, bucket_count> buckets_{};
    uint64_t count_ = 0;
    uint64_t max_ = 0;
    uint64_t min_ = UINT64_MAX;
    long double sum_ = 0;
};

}  // namespace amr::bench
