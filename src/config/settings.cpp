#include "config/settings.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "config/profile.hpp"
#include "config/redis_url.hpp"
#include "error.hpp"
#include "util/size.hpp"

extern char** environ;

namespace amr::config {
namespace {

const char* const variables[] = {"REDIS_URL", "REDIS_HOST", "REDIS_PORT",   "REDIS_USER",
                                 "REDIS_KEY", "REDIS_TLS",  "REDIS_CACERT", "REDIS_TOKEN_COMMAND"};

void apply_url(Settings& s, const std::string& text, const std::string& origin) {
    RedisUrl url = parse_redis_url(text, origin);
    s.tls = url.tls;
    s.host = url.host;
    if (url.port) s.port = *url.port;
    if (url.user) s.user = *url.user;
    if (url.password) s.password = *url.password;
}

// Applies one source's variables on top of `s`; `where` names the source in errors.
void apply_variables(Settings& s, const EnvMap& vars, const std::string& where) {
    auto get = [&](const char* name) -> const std::string* {
        auto it = vars.find(name);
        return it == vars.end() || it->second.empty() ? nullptr : &it->second;
    };
    auto origin = [&](const char* name) { return std::string(name) + " (" + where + ")"; };
    if (auto v = get("REDIS_URL")) apply_url(s, *v, origin("REDIS_URL"));
    if (auto v = get("REDIS_HOST")) s.host = *v;
    if (auto v = get("REDIS_PORT")) s.port = parse_port(*v, origin("REDIS_PORT"));
    if (auto v = get("REDIS_USER")) s.user = *v;
    if (auto v = get("REDIS_KEY")) s.password = *v;
    if (auto v = get("REDIS_TLS")) s.tls = parse_bool(*v, origin("REDIS_TLS"));
    if (auto v = get("REDIS_CACERT")) s.cacert = *v;
    if (auto v = get("REDIS_TOKEN_COMMAND")) s.token_command = *v;
}

void apply_flags(Settings& s, const ConnectionFlags& f) {
    if (f.url) apply_url(s, *f.url, "--url");
    if (f.host) s.host = *f.host;
    if (f.port) s.port = *f.port;
    if (f.user) s.user = *f.user;
    if (f.password) s.password = *f.password;
    if (f.token_command) s.token_command = *f.token_command;
    if (f.tls) s.tls = *f.tls;
    if (f.cacert) s.cacert = *f.cacert;
    if (f.capath) s.capath = *f.capath;
    if (f.cert) s.cert = *f.cert;
    if (f.key) s.key = *f.key;
    if (f.sni) s.sni = *f.sni;
    s.insecure = f.insecure;
}

// Reads a .env and warns when it holds a secret that other users can read.
EnvMap read_env_file_checked(const std::string& path, double connect_timeout_s) {
    // A pipe's writer gets --connect-timeout to write the file (a bad value is reported
    // later, by resolve_settings).
    const double patience_s = std::isfinite(connect_timeout_s) && connect_timeout_s > 0
                                  ? std::min(connect_timeout_s, max_connect_timeout_s)
                                  : 30.0;
    EnvMap env = read_dotenv_file(
        path, std::chrono::milliseconds(static_cast<long long>(std::ceil(patience_s * 1000))));
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        std::string warning = dotenv_permission_warning(path, st.st_mode, env);
        if (!warning.empty()) spdlog::warn("{}", warning);
    }
    return env;
}

}  // namespace

Settings load_settings(const ConnectionFlags& given) {
    const ConnectionFlags flags = with_profile(given);
    if (flags.env_file && given.env_file != flags.env_file) {
        spdlog::debug("settings from profile {}", *flags.env_file);
    }
    Settings s = resolve_settings(flags, redis_environment(), load_env_file(flags));
    if (!s.token_command.empty())
        s.token = std::make_shared<auth::TokenSource>(s.token_command, s.connect_timeout);
    return s;
}

bool parse_bool(const std::string& text, const std::string& origin) {
    std::string v = text;
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
    if (v == "0" || v == "false" || v == "no" || v == "off") return false;
    // Not quoted: a .env line wrapped or mistyped may put a secret here.
    throw usage_error(origin + ": expected true or false (or 1/0, yes/no, on/off)");
}

EnvMap redis_environment() {
    EnvMap env;
    for (const char* name : variables) {
        if (const char* value = std::getenv(name)) env[name] = value;
    }
    return env;
}

EnvMap load_env_file(const ConnectionFlags& flags) {
    if (flags.no_env_file) return {};
    if (flags.env_file) return read_env_file_checked(*flags.env_file, flags.connect_timeout_s);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(".env", ec)) return {};
    return read_env_file_checked(".env", flags.connect_timeout_s);
}

Settings resolve_settings(const ConnectionFlags& flags, const EnvMap& environment,
                          const EnvMap& env_file) {
    Settings s;
    apply_variables(s, env_file, flags.env_file ? *flags.env_file : ".env");
    apply_variables(s, environment, "environment");
    apply_flags(s, flags);

    if (s.host.empty()) {
        throw usage_error("no Redis host given",
                          "set REDIS_HOST in the environment or in .env, or pass -H/--host "
                          "or --url");
    }
    if (!std::isfinite(flags.connect_timeout_s) || flags.connect_timeout_s <= 0 ||
        flags.connect_timeout_s > max_connect_timeout_s) {
        throw usage_error("--connect-timeout must be a positive number of seconds, at most 86400");
    }
    s.connect_timeout = std::chrono::milliseconds(
        static_cast<long long>(std::ceil(flags.connect_timeout_s * 1000)));
    if (flags.proto_max_bulk_len) {
        s.max_bulk = util::parse_size(*flags.proto_max_bulk_len, "--proto-max-bulk-len");
    }
    if (!s.token_command.empty() && !s.password.empty() && flags.password) {
        throw usage_error("-a/--password and --token-command cannot be combined");
    }
    if (!s.cert.empty() != !s.key.empty()) {
        throw usage_error("--cert and --key must be given together");
    }
    return s;
}

}  // namespace amr::config
