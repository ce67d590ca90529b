// .env files as python-dotenv reads them: comments, blank lines, an optional "export "
// prefix, single and double quotes (escapes inside double quotes), '=' inside values and
// inline comments after unquoted values. Lines end in "\n", "\r\n" or a lone "\r", as
// Python's universal newlines read them.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace amr::config {

using EnvMap = std::map<std::string, std::string>;

// Parses the text of a .env file. A malformed line throws a usage Error that names
// `origin` and the line number, never the value (it may be a secret).
EnvMap parse_dotenv(std::string_view text, const std::string& origin);

// Reads and parses a file; a missing or unreadable file, a directory or device, or one
// larger than 1 MiB (util::max_env_file_bytes) throws a usage Error naming it. A pipe or
// FIFO is read until its writer closes it, for at most `patience`.
EnvMap read_dotenv_file(const std::string& path, std::chrono::milliseconds patience);

// True when `env` holds a secret: a REDIS_KEY, or a REDIS_URL with a password.
bool dotenv_has_secret(const EnvMap& env);

// The warning for a .env at `path` with permission bits `mode` (st_mode) that holds a
// secret other users can read, as ssh warns about key files; empty when there is none.
std::string dotenv_permission_warning(const std::string& path, unsigned mode, const EnvMap& env);

}  // namespace amr::config
