// Sizes on the command line: 1048576, 64k, 256MiB, 1G (binary multiples).
#pragma once

#include <cstddef>
#include <string>

namespace amr::util {

// Throws a usage Error naming `option` when `text` is not a positive size.
size_t parse_size(const std::string& text, const std::string& option);

}  // namespace amr::util
