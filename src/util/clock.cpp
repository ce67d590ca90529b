#include "util/clock.hpp"

#include <cstdio>
#include <ctime>

namespace amr::util {
namespace {

std::tm to_tm(SystemTime t, bool utc) {
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    if (utc) {
        gmtime_r(&secs, &tm);
    } else {
        localtime_r(&secs, &tm);
    }
    return tm;
}

// Sub-second part; to_time_t truncates toward zero for times after 1970.
long long fraction(SystemTime t, long long per_second) {
    auto since = t.time_since_epoch();
    auto secs = std::chrono::floor<std::chrono::seconds>(since);
    return std::chrono::duration_cast<std::chrono::microseconds>(since - secs).count() *
           per_second / 1000000;
}

}  // namespace

std::string local_strftime(SystemTime t, const char* format) {
    std::tm tm = to_tm(t, false);
    char buf[128];
    size_t n = std::strftime(buf, sizeof buf, format, &tm);
    return std::string(buf, n);
}

std::string local_iso_micro(SystemTime t) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s.%06lld", local_strftime(t, "%Y-%m-%dT%H:%M:%S").c_str(),
                  fraction(t, 1000000));
    return buf;
}

namespace {

std::string utc_iso(SystemTime t, long long per_second, int digits) {
    std::tm tm = to_tm(t, true);
    char buf[64];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%0*lldZ", digits, fraction(t, per_second));
    return buf;
}

}  // namespace

std::string utc_iso_milli(SystemTime t) {
    return utc_iso(t, 1000, 3);
}

std::string utc_iso_micro(SystemTime t) {
    return utc_iso(t, 1000000, 6);
}

}  // namespace amr::util
