#include "util/whole_number.hpp"

#include <charconv>
#include <limits>
#include <string>

namespace amr::util {

CLI::Validator whole_number(long long min, long long max) {
    const std::string range =
        "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    return CLI::Validator(
        [min, max, range](std::string& text) -> std::string {
            long long value = 0;
            const char* end = text.data() + text.size();
            auto [stop, ec] = std::from_chars(text.data(), end, value);
            if (text.empty() || ec == std::errc::invalid_argument || stop != end) {
                return "expected " + range;
            }
            if (ec == std::errc::result_out_of_range || value < min || value > max) {
                return "out of range: expected " + range;
            }
            return {};
        },
        max == std::numeric_limits<long long>::max()
            ? "INT >= " + std::to_string(min)
            : "INT in [" + std::to_string(min) + " - " + std::to_string(max) + "]",
        "whole number");
}

}  // namespace amr::util
