// Time stamps in the forms the lab and the json format use.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace amr::util {

using SystemTime = std::chrono::system_clock::time_point;

// Local time like Python's datetime.now().isoformat(): 2025-11-20T12:31:14.906797
std::string local_iso_micro(SystemTime t);
// Local time as strftime(format), e.g. "%H:%M:%S" or "%Y%m%d%H%M%S".
std::string local_strftime(SystemTime t, const char* format);
// UTC with milliseconds: 2025-11-20T12:31:14.906Z
std::string utc_iso_milli(SystemTime t);
// UTC with microseconds: 2025-11-20T12:31:14.906797Z
std::string utc_iso_micro(SystemTime t);
// Reads what utc_iso_milli() and utc_iso_micro() write (YYYY-MM-DDTHH:MM:SS, then '.'
// and 1 to 9 digits or none, then 'Z'); nothing for anything else.
std::optional<SystemTime> parse_utc_iso(std::string_view text);

}  // namespace amr::util
