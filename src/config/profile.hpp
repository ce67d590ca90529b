// Profiles: named .env files in ${XDG_CONFIG_HOME:-~/.config}/amr/NAME.env. A profile is
// only a way to name the env file: --profile NAME (or AMR_PROFILE) reads that file in
// place of ./.env, with the syntax, precedence and permission warning of --env-file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/dotenv.hpp"

namespace amr::config {

struct ConnectionFlags;

// The longest profile name.
inline constexpr size_t max_profile_name = 64;

// A plain name: 1 to 64 ASCII letters, digits, '_', '-' and '.', not starting with '.'
// or '-'. No '/', so a name never leaves the profile directory.
bool is_profile_name(std::string_view name);

// Throws a usage Error naming `origin` (--profile, AMR_PROFILE, NAME) when `name` is not
// a plain profile name.
void check_profile_name(std::string_view name, const std::string& origin);

// Where profiles live: $XDG_CONFIG_HOME/amr when that is an absolute path (a relative one
// is ignored, as the XDG Base Directory specification says), else $HOME/.config/amr.
// Null or empty arguments count as unset; a usage Error when neither gives a directory.
std::string profile_directory(const char* xdg_config_home, const char* home);

// profile_directory of the process environment.
std::string profile_directory();

// DIRECTORY/NAME.env; the name is checked first.
std::string profile_path(const std::string& directory, std::string_view name);

// The names of the profiles in `directory`, sorted: its NAME.env entries that are files
// (or links to files) with a plain NAME. Nothing when the directory does not exist.
std::vector<std::string> list_profiles(const std::string& directory);

// The profile the flags select: --profile, else AMR_PROFILE (`environment`, null or
// empty when unset) unless --env-file or --no-env-file is given. A usage Error for
// --profile with --env-file or --no-env-file, or for a name that is not plain.
struct ProfileChoice {
    std::string name;
    std::string origin;  // "--profile" or "AMR_PROFILE"
};
std::optional<ProfileChoice> selected_profile(const ConnectionFlags& flags,
                                              const char* environment);

// The path of the profile `name` in `directory`; a usage Error (exit 2) naming the path
// when it does not exist, whose hint names a near profile or lists those that exist.
std::string existing_profile_path(const std::string& directory, std::string_view name,
                                  const std::string& origin);

// The flags with env_file set to the selected profile's path (see selected_profile),
// read from the process environment; the flags unchanged when none is selected.
ConnectionFlags with_profile(const ConnectionFlags& flags);

// What `amr profile show` prints of a value: REDIS_HOST, REDIS_PORT, REDIS_USER,
// REDIS_TLS and REDIS_CACERT as they are; REDIS_URL with its password as <hidden>, or
// what stands before '@' when it has no ':' (redis-cli reads a password there), and the
// whole URL when it cannot be parsed; every other value, REDIS_KEY and
// REDIS_TOKEN_COMMAND (whose command line may carry a secret) included, as <hidden>.
std::string displayed_value(const std::string& variable, const std::string& value);

inline constexpr std::string_view hidden_value = "<hidden>";

}  // namespace amr::config
