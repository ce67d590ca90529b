#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "bench/histogram.hpp"

using amr::bench::Histogram;

namespace {

const double quantiles[] = {0.5, 0.9, 0.99, 0.999, 0.9999};

// The nearest-rank percentile of the sorted sample: what Histogram::percentile estimates.
uint64_t exact(const std::vector<uint64_t>& sorted, double q) {
    auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    rank = std::clamp<size_t>(rank, 1, sorted.size());
    return sorted[rank - 1];
}

void check_against_sample(std::vector<uint64_t> values) {
    Histogram h;
    for (uint64_t v : values) h.record(v);
    std::sort(values.begin(), values.end());
    for (double q : quantiles) {
        const double want = static_cast<double>(exact(values, q));
        const double got = static_cast<double>(h.percentile(q));
        CAPTURE(q);
        CAPTURE(want);
        CAPTURE(got);
        CHECK(std::abs(got - want) <= 0.01 * want);
    }
    CHECK(h.max() == values.back());
    CHECK(h.min() == values.front());
    CHECK(h.count() == values.size());
}

}  // namespace

TEST_CASE("histogram: a bucket is at most 1/128 of its values wide, and buckets tile") {
    for (uint64_t v : std::initializer_list<uint64_t>{0ULL, 1ULL, 127ULL, 128ULL, 255ULL, 256ULL,
                                                      1000ULL, 999'999ULL, 60'000'000'000ULL,
                                                      (1ULL << 63) + 12345, UINT64_MAX}) {
        const size_t i = Histogram::index_of(v);
        CAPTURE(v);
        REQUIRE(i < Histogram::bucket_count);
        CHECK(Histogram::lower_bound(i) <= v);
        CHECK(v - Histogram::lower_bound(i) < Histogram::width(i));
        if (v >= 128) CHECK(Histogram::width(i) * 128 <= Histogram::lower_bound(i));
    }
    for (size_t i = 1; i < Histogram::bucket_count; ++i) {
        REQUIRE(Histogram::lower_bound(i) ==
                Histogram::lower_bound(i - 1) + Histogram::width(i - 1));
    }
}

TEST_CASE("histogram: a constant gives itself at every percentile") {
    for (uint64_t c : {1ULL, 1000ULL, 123'457ULL, 60'000'000'000ULL}) {
        Histogram h;
        for (int i = 0; i < 1000; ++i) h.record(c);
        for (double q : quantiles) CHECK(h.percentile(q) == c);
        CHECK(h.max() == c);
        CHECK(h.mean() == doctest::Approx(static_cast<double>(c)));
    }
}

TEST_CASE("histogram: uniform from 1 us to 60 s, percentiles within 1% of the sample's") {
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<uint64_t> d(1'000, 60'000'000'000ULL);
    std::vector<uint64_t> values(200'000);
    for (auto& v : values) v = d(rng);
    check_against_sample(values);
}

TEST_CASE("histogram: exponential (mean 500 us) and log-uniform, within 1%") {
    std::mt19937_64 rng(7);
    std::exponential_distribution<double> e(1.0 / 500'000.0);
    std::vector<uint64_t> values(200'000);
    for (auto& v : values) v = 1'000 + static_cast<uint64_t>(e(rng));
    check_against_sample(values);

    std::uniform_real_distribution<double> exponent(3.0, std::log10(60e9));
    for (auto& v : values) v = static_cast<uint64_t>(std::pow(10.0, exponent(rng)));
    check_against_sample(values);
}

TEST_CASE("histogram: merging is the same as recording into one") {
    Histogram a, b, all;
    for (uint64_t v = 1; v < 100'000; v += 7) {
        (v % 2 ? a : b).record(v * 13);
        all.record(v * 13);
    }
    a.merge(b);
    CHECK(a.count() == all.count());
    CHECK(a.max() == all.max());
    CHECK(a.min() == all.min());
    for (double q : quantiles) CHECK(a.percentile(q) == all.percentile(q));
    CHECK(a.mean() == doctest::Approx(all.mean()));
}

TEST_CASE("histogram: empty, and a percentile never above the max") {
    Histogram h;
    CHECK(h.percentile(0.99) == 0);
    CHECK(h.max() == 0);
    CHECK(h.min() == 0);
    h.record(1'000'001);
    CHECK(h.percentile(0.5) == 1'000'001);
    h.record(UINT64_MAX);
    CHECK(h.percentile(1.0) == UINT64_MAX);
}
