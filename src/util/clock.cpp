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

namespace amr::util {

std::optional<SystemTime> parse_utc_iso(std::string_view text) {
    // "YYYY-MM-DDTHH:MM:SS" is 19 characters; digits where the pattern has 'd'.
    static constexpr std::string_view pattern = "dddd-dd-ddTdd:dd:dd";
    if (text.size() < pattern.size() + 1 || text.back() != 'Z') return std::nullopt;
    for (size_t i = 0; i < pattern.size(); ++i) {
        const bool digit = text[i] >= '0' && text[i] <= '9';
        if (pattern[i] == 'd' ? !digit : text[i] != pattern[i]) return std::nullopt;
    }
    auto number = [&](size_t at, size_t n) {
        int v = 0;
        for (size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
        return v;
    };
    std::chrono::nanoseconds fraction{0};
    const std::string_view rest = text.substr(pattern.size(), text.size() - pattern.size() - 1);
    if (!rest.empty()) {
        if (rest[0] != '.' || rest.size() < 2 || rest.size() > 10) return std::nullopt;
        long long ns = 0;
        for (size_t i = 1; i < 10; ++i) {
            const char c = i < rest.size() ? rest[i] : '0';
            if (c < '0' || c > '9') return std::nullopt;
            ns = ns * 10 + (c - '0');
        }
        fraction = std::chrono::nanoseconds(ns);
    }
    using namespace std::chrono;
    const year_month_day date{year{number(0, 4)}, month{static_cast<unsigned>(number(5, 2))},
                              day{static_cast<unsigned>(number(8, 2))}};
    const int h = number(11, 2), m = number(14, 2), sec = number(17, 2);
    if (!date.ok() || h > 23 || m > 59 || sec > 60) return std::nullopt;
    const auto t = sys_days(date) + hours(h) + minutes(m) + seconds(sec) + fraction;
    return time_point_cast<SystemTime::duration>(t);
}

}  // namespace amr::util
