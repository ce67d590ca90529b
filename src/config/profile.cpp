#include "config/profile.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "config/redis_url.hpp"
#include "config/settings.hpp"
#include "error.hpp"
#include "util/suggest.hpp"

namespace amr::config {
namespace {

constexpr std::string_view suffix = ".env";

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

bool set(const char* value) {
    return value != nullptr && *value != '\0';
}

// The name as an error message shows it, not too long (stderr's sink escapes control
// bytes, as for every message).
std::string shown(std::string_view name) {
    const bool long_name = name.size() > max_profile_name;
    return "'" + std::string(name.substr(0, max_profile_name)) + (long_name ? "'..." : "'");
}

// "a, b, c" of at most 10 names.
std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (size_t i = 0; i < names.size() && i < 10; ++i) text += (i ? ", " : "") + names[i];
    if (names.size() > 10) text += ", ... (" + std::to_string(names.size()) + " in all)";
    return text;
}

bool is_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

bool is_profile_name(std::string_view name) {
    if (name.empty() || name.size() > max_profile_name) return false;
    if (name[0] == '.' || name[0] == '-') return false;
    return std::all_of(name.begin(), name.end(), is_name_char);
}

void check_profile_name(std::string_view name, const std::string& origin) {
    if (is_profile_name(name)) return;
    if (name.empty()) throw usage_error(origin + ": the profile name is empty");
    throw usage_error(origin + ": " + shown(name) + " is not a profile name",
                      "a profile name is 1 to 64 letters, digits, '_', '-' and '.', not "
                      "starting with '.' or '-'; the profile NAME is the file NAME.env in " +
                          std::string("${XDG_CONFIG_HOME:-~/.config}/amr"));
}

std::string profile_directory(const char* xdg_config_home, const char* home) {
    if (set(xdg_config_home) && xdg_config_home[0] == '/') {
        return std::string(xdg_config_home) + "/amr";
    }
    if (set(home)) return std::string(home) + "/.config/amr";
    throw usage_error(
        "no profile directory: HOME is not set, and XDG_CONFIG_HOME is not an absolute path",
        "set HOME or XDG_CONFIG_HOME (profiles are ${XDG_CONFIG_HOME:-~/.config}/amr/NAME.env), "
        "or name the file with --env-file FILE");
}

std::string profile_directory() {
    return profile_directory(std::getenv("XDG_CONFIG_HOME"), std::getenv("HOME"));
}

std::string profile_path(const std::string& directory, std::string_view name) {
    check_profile_name(name, "profile name");
    return directory + "/" + std::string(name) + std::string(suffix);
}

std::vector<std::string> list_profiles(const std::string& directory) {
    std::vector<std::string> names;
    DIR* dir = ::opendir(directory.c_str());
    if (dir == nullptr) {
        if (errno == ENOENT) return names;
        throw usage_error("cannot list profiles in " + directory + ": " + std::strerror(errno));
    }
    while (const dirent* entry = ::readdir(dir)) {
        std::string_view file = entry->d_name;
        if (!file.ends_with(suffix)) continue;
        std::string_view name = file.substr(0, file.size() - suffix.size());
        if (!is_profile_name(name) || !is_file(directory + "/" + std::string(file))) continue;
        names.emplace_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

std::optional<ProfileChoice> selected_profile(const ConnectionFlags& flags,
                                              const char* environment) {
    if (flags.profile) {
        if (flags.env_file) throw usage_error("--profile and --env-file cannot be combined");
        if (flags.no_env_file) throw usage_error("--profile and --no-env-file cannot be combined");
        check_profile_name(*flags.profile, "--profile");
        return ProfileChoice{*flags.profile, "--profile"};
    }
    // The environment's choice gives way to an env file named on the command line.
    if (flags.env_file || flags.no_env_file || !set(environment)) return std::nullopt;
    check_profile_name(environment, "AMR_PROFILE");
    return ProfileChoice{environment, "AMR_PROFILE"};
}

std::string existing_profile_path(const std::string& directory, std::string_view name,
                                  const std::string& origin) {
    check_profile_name(name, origin);
    std::string path = profile_path(directory, name);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 || (errno != ENOENT && errno != ENOTDIR)) return path;
    // Missing: the reading of the file would say "No such file"; say which profiles exist.
    std::vector<std::string> names;
    bool listed = true;
    try {
        names = list_profiles(directory);
    } catch (const Error&) {
        listed = false;  // unreadable, or a file in its place: the path says enough
    }
    std::string hint;
    std::string_view bare = name;
    if (bare.ends_with(suffix)) bare.remove_suffix(suffix.size());
    if (bare != name && std::find(names.begin(), names.end(), bare) != names.end()) {
        hint = "a profile is named without .env: " + origin + " " + std::string(bare);
    } else if (auto near = util::closest(name, names)) {
        hint = "did you mean '" + *near + "'? (amr profile list shows them all)";
    } else if (!names.empty()) {
        hint = "the profiles are: " + joined(names);
    } else if (listed) {
        hint = "there are no profiles in " + directory +
               " yet: write NAME.env there (scripts/azdeploy.sh env --profile NAME does)";
    }
    throw usage_error(
        origin + ": no profile '" + std::string(name) + "': " + path + " does not exist", hint);
}

ConnectionFlags with_profile(const ConnectionFlags& flags) {
    ConnectionFlags f = flags;
    if (auto choice = selected_profile(flags, std::getenv("AMR_PROFILE"))) {
        f.env_file = existing_profile_path(profile_directory(), choice->name, choice->origin);
    }
    return f;
}

std::string displayed_value(const std::string& variable, const std::string& value) {
    static const std::string_view plain[] = {"REDIS_HOST", "REDIS_PORT", "REDIS_USER", "REDIS_TLS",
                                             "REDIS_CACERT"};
    if (std::find(std::begin(plain), std::end(plain), variable) != std::end(plain)) return value;
    if (variable != "REDIS_URL") return std::string(hidden_value);
    // The password is what parse_redis_url reads: after the first ':' of what comes
    // before the last '@'. Without a ':' amr reads a user name there, but redis-cli -u
    // reads a password (redis://KEY@host): hidden too.
    try {
        parse_redis_url(value, "REDIS_URL");
    } catch (const Error&) {
        return std::string(hidden_value);
    }
    const size_t start = value.find("://") + 3;
    const size_t at = value.rfind('@');
    if (at == std::string::npos) return value;
    const size_t colon = value.find(':', start);
    const size_t from = colon != std::string::npos && colon < at ? colon + 1 : start;
    return value.substr(0, from) + std::string(hidden_value) + value.substr(at);
}

}  // namespace amr::config
