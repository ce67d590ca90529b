#include "util/duration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "error.hpp"

namespace amr::util {

namespace {

// The duration in milliseconds, positive and finite.
double parse_ms(const std::string& text, const std::string& option) {
    auto bad = [&] {
        return usage_error(option + ": bad duration '" + text + "'",
                           "use a number of seconds or a number with ms, s, m or h, e.g. 500ms");
    };
    if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '.')) {
        throw bad();
    }
    // Only digits and '.' before the unit: strtod alone would take "0x10" or "1e3".
    const size_t unit_at = std::min(text.find_first_not_of("0123456789."), text.size());
    const std::string number = text.substr(0, unit_at);
    char* end = nullptr;
    double value = std::strtod(number.c_str(), &end);
    if (*end != '\0') throw bad();
    std::string unit = text.substr(unit_at);
    double ms_per_unit = 0;
    if (unit.empty() || unit == "s") {
        ms_per_unit = 1000;
    } else if (unit == "ms") {
        ms_per_unit = 1;
    } else if (unit == "m") {
        ms_per_unit = 60 * 1000;
    } else if (unit == "h") {
        ms_per_unit = 3600 * 1000;
    } else {
        throw bad();
    }
    double ms = value * ms_per_unit;
    if (!std::isfinite(ms) || ms <= 0 || ms > 1e15) throw bad();
    return ms;
}

}  // namespace

std::chrono::milliseconds parse_duration(const std::string& text, const std::string& option) {
    return std::chrono::milliseconds(static_cast<long long>(std::ceil(parse_ms(text, option))));
}

std::chrono::microseconds parse_duration_us(const std::string& text, const std::string& option) {
    return std::chrono::microseconds(
        static_cast<long long>(std::ceil(parse_ms(text, option) * 1000)));
}

}  // namespace amr::util
