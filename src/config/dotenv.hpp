// .env files as python-dotenv reads them: comments, blank lines, an optional "export "
// prefix, single and double quotes (escapes inside double quotes), '=' inside values and
// inline comments after unquoted values.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace amr::config {

using EnvMap = std::map<std::string, std::string>;

// Parses the text of a .env file. A malformed line throws a usage Error that names
// `origin` and the line number, never the value (it may be a secret).
EnvMap parse_dotenv(std::string_view text, const std::string& origin);

// Reads and parses a file; a missing or unreadable file throws a usage Error.
EnvMap read_dotenv_file(const std::string& path);

}  // namespace amr::config
