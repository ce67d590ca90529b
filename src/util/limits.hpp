// Size limits on what amr reads from files and stdin, so that /dev/zero or a runaway
// pipe ends in a clear error instead of exhausting memory.
#pragma once

#include <cstddef>

namespace amr::util {

// A .env holds a few variables; 1 MiB is far beyond any real one.
inline constexpr size_t max_env_file_bytes = size_t{1} << 20;
// One message (MESSAGE read from stdin, a line of --lines/--file): Redis's own
// proto-max-bulk-len default, the largest string a server accepts.
inline constexpr size_t max_message_bytes = size_t{512} << 20;

}  // namespace amr::util
