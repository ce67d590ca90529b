// Reads a descriptor to its end, bounded in size and optionally in time.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace amr::util {

// Reads `fd` until end of input. Throws a usage Error naming `name` when more than
// `limit` bytes come, or when `deadline` passes first (the writer of a pipe never
// closed it); a failure Error (exit 1) on a read error, with its errno text.
std::string read_all(int fd, const std::string& name, size_t limit,
                     std::optional<std::chrono::steady_clock::time_point> deadline = {});

// "1 MiB", "512 MiB": a limit as the man page states it.
std::string size_text(size_t bytes);

}  // namespace amr::util
