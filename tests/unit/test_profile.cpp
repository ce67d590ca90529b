#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/profile.hpp"
#include "config/settings.hpp"
#include "error.hpp"

using amr::Error;
using amr::ErrorKind;
using amr::config::ConnectionFlags;
using amr::config::displayed_value;
using amr::config::existing_profile_path;
using amr::config::is_profile_name;
using amr::config::list_profiles;
using amr::config::profile_directory;
using amr::config::profile_path;
using amr::config::selected_profile;
namespace fs = std::filesystem;

namespace {

template <typename F>
Error error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no error thrown");
    return Error(ErrorKind::failure, "unreachable");
}

// A fresh directory under the system's temporary directory, removed at the end.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "amr-profile-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() { fs::remove_all(path); }
    void file(const std::string& name, const std::string& text = "REDIS_HOST=h\n") const {
        std::ofstream(path / name) << text;
    }
};

}  // namespace

TEST_CASE("is_profile_name: plain names only") {
    for (const char* name : {"prod", "a", "Prod-2", "eu.west_1", "_x", "9", "a..b"}) {
        CHECK_MESSAGE(is_profile_name(name), name);
    }
    CHECK(is_profile_name(std::string(64, 'a')));
    for (const char* name : {"", ".", "..", "../x", "a/b", "/etc/passwd", ".hidden", "-x", "a b",
                             "a\tb", "x\x1b[2J", "caf\xc3\xa9", "a\\b", "a:b", "a*"}) {
        CHECK_MESSAGE(!is_profile_name(name), name);
    }
    CHECK(!is_profile_name(std::string(65, 'a')));
    CHECK(!is_profile_name(std::string("a\0b", 3)));
}

TEST_CASE("check_profile_name: a usage error naming the origin and the name, cut at 64") {
    Error e = error_of([] { amr::config::check_profile_name("../x", "--profile"); });
    CHECK(e.kind() == ErrorKind::usage);
    CHECK(std::string(e.what()) == "--profile: '../x' is not a profile name");
    CHECK(e.hint().find("letters, digits") != std::string::npos);
    e = error_of(
        [] { amr::config::check_profile_name(std::string(100, 'x') + "/", "AMR_PROFILE"); });
    CHECK(std::string(e.what()) ==
          "AMR_PROFILE: '" + std::string(64, 'x') + "'... is not a profile name");
    e = error_of([] { amr::config::check_profile_name("", "NAME"); });
    CHECK(std::string(e.what()) == "NAME: the profile name is empty");
}

TEST_CASE("profile_directory: XDG_CONFIG_HOME when absolute, else ~/.config") {
    CHECK(profile_directory("/xdg", "/home/u") == "/xdg/amr");
    CHECK(profile_directory(nullptr, "/home/u") == "/home/u/.config/amr");
    CHECK(profile_directory("", "/home/u") == "/home/u/.config/amr");
    // The XDG specification: a relative path is invalid and ignored.
    CHECK(profile_directory("relative/conf", "/home/u") == "/home/u/.config/amr");
    CHECK(profile_directory("/xdg", nullptr) == "/xdg/amr");
    for (const char* home : {static_cast<const char*>(nullptr), ""}) {
        Error e = error_of([&] { profile_directory(nullptr, home); });
        CHECK(e.kind() == ErrorKind::usage);
        CHECK(std::string(e.what()).find("HOME is not set") != std::string::npos);
        e = error_of([&] { profile_directory("rel", home); });
        CHECK(std::string(e.what()).find("XDG_CONFIG_HOME is not an absolute path") !=
              std::string::npos);
    }
}

TEST_CASE("profile_path: DIRECTORY/NAME.env, never outside the directory") {
    CHECK(profile_path("/c/amr", "prod") == "/c/amr/prod.env");
    CHECK_THROWS_AS(profile_path("/c/amr", "../prod"), Error);
    CHECK_THROWS_AS(profile_path("/c/amr", "a/b"), Error);
    CHECK_THROWS_AS(profile_path("/c/amr", ""), Error);
}

TEST_CASE("selected_profile: --profile, else AMR_PROFILE unless an env file is named") {
    ConnectionFlags f;
    CHECK(!selected_profile(f, nullptr));
    CHECK(!selected_profile(f, ""));
    auto p = selected_profile(f, "staging");
    REQUIRE(p);
    CHECK(p->name == "staging");
    CHECK(p->origin == "AMR_PROFILE");
    f.profile = "prod";
    p = selected_profile(f, "staging");
    REQUIRE(p);
    CHECK(p->name == "prod");
    CHECK(p->origin == "--profile");

    ConnectionFlags env_file;
    env_file.env_file = "other.env";
    CHECK(!selected_profile(env_file, "staging"));
    ConnectionFlags none;
    none.no_env_file = true;
    CHECK(!selected_profile(none, "staging"));

    env_file.profile = "prod";
    CHECK(std::string(error_of([&] { selected_profile(env_file, nullptr); }).what()) ==
          "--profile and --env-file cannot be combined");
    none.profile = "prod";
    CHECK(std::string(error_of([&] { selected_profile(none, nullptr); }).what()) ==
          "--profile and --no-env-file cannot be combined");

    CHECK(error_of([] { selected_profile({}, "../etc"); }).kind() == ErrorKind::usage);
    ConnectionFlags bad;
    bad.profile = "a/b";
    CHECK(std::string(error_of([&] { selected_profile(bad, nullptr); }).what())
              .starts_with("--profile: 'a/b'"));
}

TEST_CASE("list_profiles: sorted plain names of files; nothing without the directory") {
    TempDir dir;
    CHECK(list_profiles((dir.path / "missing").string()).empty());
    dir.file("prod.env");
    dir.file("dev.env");
    dir.file("Zeta.env");
    dir.file(".hidden.env");
    dir.file("notes.txt");
    dir.file(".env");
    dir.file("a b.env");
    fs::create_directory(dir.path / "dir.env");
    fs::create_symlink(dir.path / "prod.env", dir.path / "link.env");
    fs::create_symlink(dir.path / "nowhere", dir.path / "dangling.env");
    CHECK(list_profiles(dir.path.string()) ==
          std::vector<std::string>{"Zeta", "dev", "link", "prod"});
}

TEST_CASE("existing_profile_path: the path, or an error naming it with a hint") {
    TempDir dir;
    const std::string d = dir.path.string();
    Error e = error_of([&] { existing_profile_path(d, "prod", "--profile"); });
    CHECK(e.kind() == ErrorKind::usage);
    CHECK(std::string(e.what()) ==
          "--profile: no profile 'prod': " + d + "/prod.env does not exist");
    CHECK(e.hint().find("no profiles in " + d) != std::string::npos);

    dir.file("prod.env");
    dir.file("staging.env");
    CHECK(existing_profile_path(d, "prod", "--profile") == d + "/prod.env");
    CHECK(error_of([&] { existing_profile_path(d, "prd", "--profile"); }).hint() ==
          "did you mean 'prod'? (amr profile list shows them all)");
    CHECK(error_of([&] { existing_profile_path(d, "qa", "AMR_PROFILE"); }).hint() ==
          "the profiles are: prod, staging");
    CHECK(error_of([&] { existing_profile_path(d, "staging.env", "--profile"); }).hint() ==
          "a profile is named without .env: --profile staging");
    CHECK_THROWS_AS(existing_profile_path(d, "../prod", "--profile"), Error);

    // A file where the directory should be: still "does not exist", naming the path.
    e = error_of([&] { existing_profile_path(d + "/prod.env", "x", "--profile"); });
    CHECK(std::string(e.what()) ==
          "--profile: no profile 'x': " + d + "/prod.env/x.env does not exist");
    CHECK(e.hint().empty());
    CHECK_THROWS_AS(list_profiles(d + "/prod.env"), Error);
}

TEST_CASE("displayed_value: secrets as <hidden>") {
    CHECK(displayed_value("REDIS_HOST", "h.example") == "h.example");
    CHECK(displayed_value("REDIS_PORT", "6380") == "6380");
    CHECK(displayed_value("REDIS_USER", "alice") == "alice");
    CHECK(displayed_value("REDIS_TLS", "false") == "false");
    CHECK(displayed_value("REDIS_CACERT", "/ca.pem") == "/ca.pem");
    CHECK(displayed_value("REDIS_KEY", "s3cret") == "<hidden>");
    CHECK(displayed_value("REDIS_TOKEN_COMMAND", "echo s3cret") == "<hidden>");
    CHECK(displayed_value("OTHER", "s3cret") == "<hidden>");
    CHECK(displayed_value("REDIS_URL", "redis://h:6379") == "redis://h:6379");
    // A user name alone: redis-cli -u reads a password there (redis://KEY@host).
    CHECK(displayed_value("REDIS_URL", "redis://s3cret@h:6379/0") == "redis://<hidden>@h:6379/0");
    CHECK(displayed_value("REDIS_URL", "rediss://u:s3cret@h:6380") == "rediss://u:<hidden>@h:6380");
    CHECK(displayed_value("REDIS_URL", "redis://:s3cret@h") == "redis://:<hidden>@h");
    // '@' and ':' inside the password: all of it goes, as the URL parser reads it.
    CHECK(displayed_value("REDIS_URL", "redis://u:a:b@c@h:1/2") == "redis://u:<hidden>@h:1/2");
    // A URL amr cannot read: where the password ends is unknown, so all of it.
    CHECK(displayed_value("REDIS_URL", "redis://u:s3/cret@h") == "<hidden>");
    CHECK(displayed_value("REDIS_URL", "http://u:s3cret@h") == "<hidden>");
}
