#pragma once

#include <string>

namespace amr {

// What `amr --version` prints (without a final newline): amr's version, the hiredis and
// OpenSSL it was built with, and the OpenSSL it runs with, which is the shared library
// found at run time and may differ from the headers the build saw.
std::string version_text();

}  // namespace amr
