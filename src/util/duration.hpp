// Durations on the command line: "10" (seconds), "10s", "500ms", "2m", "1h", "1.5s".
#pragma once

#include <chrono>
#include <string>

namespace amr::util {

// Throws a usage Error naming `option` when `text` is not a positive duration.
std::chrono::milliseconds parse_duration(const std::string& text, const std::string& option);
// The same to the microsecond ("0.25ms"), for thresholds under a millisecond.
std::chrono::microseconds parse_duration_us(const std::string& text, const std::string& option);

}  // namespace amr::util
