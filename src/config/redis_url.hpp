// redis:// and rediss:// URLs: [user[:password]@]host[:port][/db].
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace amr::config {

struct RedisUrl {
    bool tls = false;
    std::string host;
    std::optional<int> port;
    std::optional<std::string> user;
    std::optional<std::string> password;
};

// Throws a usage Error naming `origin` (e.g. "--url" or "REDIS_URL") and what is wrong,
// without echoing the password.
RedisUrl parse_redis_url(std::string_view url, const std::string& origin);

// Parses a TCP port (1-65535); throws a usage Error naming `origin`.
int parse_port(std::string_view text, const std::string& origin);

}  // namespace amr::config
