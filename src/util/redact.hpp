// Command-line arguments kept out of error messages: any argument may be a password
// (typed after a mistyped option, or given to the wrong one), so a parse error names
// arguments by position and shows only option names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace amr::util {

// `message` with each argument of `args` (argv without argv[0]) that is not an option
// name, and the value part of --name=value and -xVALUE, replaced by "<argument N>"
// (N from 1). Option names longer than 64 characters count as values. The result is
// cut at 2000 bytes.
std::string redact_arguments(std::string_view message, const std::vector<std::string>& args);

}  // namespace amr::util
