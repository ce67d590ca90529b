// Sums of counts a server reports (PUBLISH's receivers): a lying server's huge counts
// stop at the largest value instead of overflowing (undefined behaviour in C++).
#pragma once

#include <limits>

namespace amr::util {

// a + b for counts of zero or more, at most LLONG_MAX.
inline long long add_saturating(long long a, long long b) {
    long long sum;
    if (__builtin_add_overflow(a, b, &sum)) return std::numeric_limits<long long>::max();
    return sum;
}

}  // namespace amr::util
