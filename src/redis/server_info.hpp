// What INFO says about a server, read for people and reports: its version, and one counter
// of INFO stats. A server may send anything: the version is kept to the characters a
// version has.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "redis/connection.hpp"

namespace amr::redis {

// "7.0.15"; "unknown" when INFO is refused (ACLs) or says no version. A lost connection
// throws.
std::string server_version(Connection& connection);
// The value of `field` in INFO `section`; none when the server has no such field or
// refuses INFO. A lost connection throws.
std::optional<uint64_t> info_counter(Connection& connection, const char* section,
                                     std::string_view field);

}  // namespace amr::redis
