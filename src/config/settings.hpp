// Connection settings and where they come from: flags, then the process environment,
// then ./.env (or --env-file, or a profile), then defaults (port 10000, TLS on). Within
// one source a URL (--url, REDIS_URL) is applied first and the specific settings
// override it.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "auth/token_source.hpp"
#include "config/dotenv.hpp"

namespace amr::config {

// What the global options say; unset means "not given on the command line".
struct ConnectionFlags {
    std::optional<std::string> url;
    std::optional<std::string> host;
    std::optional<int> port;
    std::optional<std::string> user;
    std::optional<std::string> password;
    std::optional<std::string> token_command;
    std::optional<bool> tls;
    std::optional<std::string> cacert;
    std::optional<std::string> capath;
    std::optional<std::string> cert;
    std::optional<std::string> key;
    std::optional<std::string> sni;
    bool insecure = false;
    std::optional<std::string> env_file;
    bool no_env_file = false;
    std::optional<std::string> profile;  // --profile NAME (see config/profile.hpp)
    double connect_timeout_s = 30.0;
    std::optional<std::string> proto_max_bulk_len;
};

struct Settings {
    std::string host;
    int port = 10000;
    bool tls = true;
    std::string user;      // empty: AUTH with the password alone
    std::string password;  // empty: no AUTH
    // Microsoft Entra ID: the command printing an access token, used as the password and
    // run again before the token expires (see auth/token_source.hpp).
    std::string token_command;
    std::shared_ptr<auth::TokenSource> token;  // made by load_settings from token_command
    std::string cacert;                        // empty: the system's CA store
    std::string capath;
    std::string cert;
    std::string key;
    std::string sni;  // empty: the host
    // The name the certificate must carry; empty: the host. Cluster nodes are reached by
    // the addresses the cluster announces but keep the name the user gave.
    std::string tls_name;
    bool insecure = false;
    std::chrono::milliseconds connect_timeout{30000};
    // The longest string a reply may announce, as Redis's own proto-max-bulk-len: a
    // reply announcing more (or an aggregate of more elements than could fit) is a
    // protocol error at once, so a hostile server cannot make amr buffer without bound.
    size_t max_bulk = default_max_bulk;
    static constexpr size_t default_max_bulk = size_t{512} * 1024 * 1024;
};

// The longest --connect-timeout: a day (larger values would overflow timeval arithmetic).
inline constexpr double max_connect_timeout_s = 86400;

// The REDIS_* variables of the process environment.
EnvMap redis_environment();

// The .env the flags select: --env-file (an error when missing), nothing with
// --no-env-file, else ./.env when it exists.
EnvMap load_env_file(const ConnectionFlags& flags);

// Pure: merges the three sources by precedence and validates the result.
Settings resolve_settings(const ConnectionFlags& flags, const EnvMap& environment,
                          const EnvMap& env_file);

// resolve_settings over the real environment and the .env the flags select, or the
// profile that --profile or AMR_PROFILE names (config/profile.hpp).
Settings load_settings(const ConnectionFlags& flags);

// Parses true/false/1/0/yes/no/on/off; throws a usage Error naming `origin`.
bool parse_bool(const std::string& text, const std::string& origin);

}  // namespace amr::config
