// Integer options checked before CLI11 converts them: CLI11 2.1 reads integers with
// strtoll in base 0, so 99999999999999999999 silently became LLONG_MAX and 010 became 8.
#pragma once

#include <CLI/CLI.hpp>

namespace amr::util {

// Accepts decimal digits only (no sign, blanks or base prefix) whose value lies within
// [min, max]. The message names the range, never the value given (it may be a password
// typed after the wrong option).
CLI::Validator whole_number(long long min, long long max);

// A finite number above 0 and at most `max` (100, 2.5); otherwise `expected`, the message
// that says what is wanted.
CLI::Validator positive_number(double max, std::string expected, std::string type_name);

}  // namespace amr::util
