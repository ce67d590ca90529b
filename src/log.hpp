// Diagnostics go to stderr through spdlog; stdout carries data only.
#pragma once

#include <spdlog/spdlog.h>

namespace amr::log {

enum class Verbosity { quiet, normal, verbose };

// Installs the stderr logger: "amr: error: ..." for errors and warnings, bare text for
// info (confirmations such as "[+] Subscribed to channel: 'x'"), "amr: debug: ..." with -v.
void init(Verbosity verbosity);

}  // namespace amr::log
