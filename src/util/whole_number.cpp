#include "util/whole_number.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace amr::util {

CLI::Validator whole_number(long long min, long long max) {
    // A maximum that only the type imposes is not worth stating unless it is passed.
    const bool open_ended = max >= std::numeric_limits<int>::max();
    const std::string range = open_ended
                                  ? "of at least " + std::to_string(min)
                                  : "from " + std::to_string(min) + " to " + std::to_string(max);
    return CLI::Validator(
        [min, max, range](std::string& text) -> std::string {
            long long value = 0;
            const char* end = text.data() + text.size();
            auto [stop, ec] = std::from_chars(text.data(), end, value);
            if (text.empty() || ec == std::errc::invalid_argument || stop != end) {
                return "expected a whole number " + range;
            }
            const bool negative = text[0] == '-';
            if (ec == std::errc::result_out_of_range ? negative : value < min) {
                return "must be a whole number " + range;
            }
            if (ec == std::errc::result_out_of_range || value > max) {
                return "too large: at most " + std::to_string(max);
            }
            return {};
        },
        open_ended ? "INT >= " + std::to_string(min)
                   : "INT in [" + std::to_string(min) + " - " + std::to_string(max) + "]",
        "whole number");
}

CLI::Validator positive_number(double max, std::string expected, std::string type_name) {
    return CLI::Validator(
        [max, expected = std::move(expected)](std::string& text) -> std::string {
            double v = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) ||
                v <= 0 || v > max) {
                return expected;
            }
            return {};
        },
        std::move(type_name));
}

}  // namespace amr::util
