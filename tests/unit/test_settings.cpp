#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include "config/settings.hpp"
#include "error.hpp"

using amr::Error;
using amr::ErrorKind;
using amr::config::ConnectionFlags;
using amr::config::EnvMap;
using amr::config::parse_bool;
using amr::config::resolve_settings;
using amr::config::Settings;
using namespace std::chrono_literals;

namespace {

Error settings_error(const ConnectionFlags& flags, const EnvMap& environment,
                     const EnvMap& env_file) {
    try {
        resolve_settings(flags, environment, env_file);
    } catch (const Error& e) {
        return e;
    }
    FAIL("resolve_settings accepted the settings");
    return Error(ErrorKind::failure, "unreachable");
}

ConnectionFlags host_flag(const std::string& host) {
    ConnectionFlags f;
    f.host = host;
    return f;
}

}  // namespace

TEST_CASE("resolve_settings: defaults are port 10000, TLS on, 30 s connect timeout") {
    Settings s = resolve_settings(host_flag("h"), {}, {});
    CHECK(s.host == "h");
    CHECK(s.port == 10000);
    CHECK(s.tls);
    CHECK(s.user.empty());
    CHECK(s.password.empty());
    CHECK(s.cacert.empty());
    CHECK(s.capath.empty());
    CHECK(s.cert.empty());
    CHECK(s.key.empty());
    CHECK(s.sni.empty());
    CHECK_FALSE(s.insecure);
    CHECK(s.connect_timeout == 30000ms);
}

TEST_CASE("resolve_settings: the lab's .env alone") {
    Settings s = resolve_settings(
        {}, {},
        {{"REDIS_HOST", "amr-exercise-1a2b3c4d.eastus.redis.azure.net"}, {"REDIS_KEY", "k3y"}});
    CHECK(s.host == "amr-exercise-1a2b3c4d.eastus.redis.azure.net");
    CHECK(s.password == "k3y");
    CHECK(s.port == 10000);
    CHECK(s.tls);
    CHECK(s.user.empty());
}

TEST_CASE("resolve_settings: every variable is read") {
    Settings s = resolve_settings({}, {},
                                  {{"REDIS_HOST", "h"},
                                   {"REDIS_PORT", "6380"},
                                   {"REDIS_USER", "u"},
                                   {"REDIS_KEY", "k"},
                                   {"REDIS_TLS", "false"},
                                   {"REDIS_CACERT", "/ca.pem"}});
    CHECK(s.host == "h");
    CHECK(s.port == 6380);
    CHECK(s.user == "u");
    CHECK(s.password == "k");
    CHECK_FALSE(s.tls);
    CHECK(s.cacert == "/ca.pem");
}

TEST_CASE("resolve_settings: environment overrides .env") {
    EnvMap env_file = {{"REDIS_HOST", "file-host"}, {"REDIS_KEY", "file-key"},
                       {"REDIS_PORT", "1111"},      {"REDIS_USER", "file-user"},
                       {"REDIS_TLS", "true"},       {"REDIS_CACERT", "file-ca"}};
    EnvMap environment = {{"REDIS_HOST", "env-host"}, {"REDIS_KEY", "env-key"},
                          {"REDIS_PORT", "2222"},     {"REDIS_USER", "env-user"},
                          {"REDIS_TLS", "0"},         {"REDIS_CACERT", "env-ca"}};
    Settings s = resolve_settings({}, environment, env_file);
    CHECK(s.host == "env-host");
    CHECK(s.password == "env-key");
    CHECK(s.port == 2222);
    CHECK(s.user == "env-user");
    CHECK_FALSE(s.tls);
    CHECK(s.cacert == "env-ca");
}

TEST_CASE("resolve_settings: .env fills what the environment leaves out") {
    Settings s = resolve_settings({}, {{"REDIS_HOST", "env-host"}},
                                  {{"REDIS_HOST", "file-host"}, {"REDIS_KEY", "file-key"}});
    CHECK(s.host == "env-host");
    CHECK(s.password == "file-key");
}

TEST_CASE("resolve_settings: flags override environment and .env") {
    ConnectionFlags f;
    f.host = "flag-host";
    f.port = 3333;
    f.user = "flag-user";
    f.password = "flag-key";
    f.tls = true;
    f.cacert = "flag-ca";
    f.capath = "/etc/ssl/certs";
    f.cert = "c.pem";
    f.key = "k.pem";
    f.sni = "sni.example";
    f.insecure = true;
    EnvMap both = {{"REDIS_HOST", "other"}, {"REDIS_KEY", "other"}, {"REDIS_PORT", "1"},
                   {"REDIS_USER", "other"}, {"REDIS_TLS", "false"}, {"REDIS_CACERT", "other"}};
    Settings s = resolve_settings(f, both, both);
    CHECK(s.host == "flag-host");
    CHECK(s.port == 3333);
    CHECK(s.user == "flag-user");
    CHECK(s.password == "flag-key");
    CHECK(s.tls);
    CHECK(s.cacert == "flag-ca");
    CHECK(s.capath == "/etc/ssl/certs");
    CHECK(s.cert == "c.pem");
    CHECK(s.key == "k.pem");
    CHECK(s.sni == "sni.example");
    CHECK(s.insecure);
}

TEST_CASE("resolve_settings: --no-tls flag overrides REDIS_TLS=true") {
    ConnectionFlags f = host_flag("h");
    f.tls = false;
    CHECK_FALSE(resolve_settings(f, {{"REDIS_TLS", "true"}}, {}).tls);
}

TEST_CASE("resolve_settings: a URL sets host, port, user, password and TLS") {
    Settings s = resolve_settings({}, {}, {{"REDIS_URL", "redis://u:p@url-host:6379"}});
    CHECK(s.host == "url-host");
    CHECK(s.port == 6379);
    CHECK(s.user == "u");
    CHECK(s.password == "p");
    CHECK_FALSE(s.tls);

    Settings t = resolve_settings({}, {}, {{"REDIS_URL", "rediss://h2"}});
    CHECK(t.tls);
    CHECK(t.port == 10000);
}

TEST_CASE("resolve_settings: specific settings override the URL of the same source") {
    SUBCASE(".env") {
        Settings s = resolve_settings({}, {},
                                      {{"REDIS_URL", "redis://u:p@url-host:6379"},
                                       {"REDIS_HOST", "host-var"},
                                       {"REDIS_PORT", "7000"},
                                       {"REDIS_KEY", "key-var"},
                                       {"REDIS_TLS", "yes"}});
        CHECK(s.host == "host-var");
        CHECK(s.port == 7000);
        CHECK(s.user == "u");
        CHECK(s.password == "key-var");
        CHECK(s.tls);
    }
    SUBCASE("flags") {
        ConnectionFlags f;
        f.url = "rediss://u:p@url-host:6379";
        f.port = 7001;
        f.tls = false;
        f.password = "flag-key";
        Settings s = resolve_settings(f, {}, {});
        CHECK(s.host == "url-host");
        CHECK(s.port == 7001);
        CHECK(s.user == "u");
        CHECK(s.password == "flag-key");
        CHECK_FALSE(s.tls);
    }
}

TEST_CASE("resolve_settings: a URL in a stronger source overrides a weaker source's host") {
    Settings s = resolve_settings({}, {{"REDIS_URL", "redis://env-url-host:6000"}},
                                  {{"REDIS_HOST", "file-host"}, {"REDIS_PORT", "1234"}});
    CHECK(s.host == "env-url-host");
    CHECK(s.port == 6000);
    CHECK_FALSE(s.tls);

    ConnectionFlags f;
    f.url = "rediss://flag-url-host";
    Settings t = resolve_settings(f, {{"REDIS_HOST", "env-host"}, {"REDIS_TLS", "false"}}, {});
    CHECK(t.host == "flag-url-host");
    CHECK(t.tls);
}

TEST_CASE("resolve_settings: a bad URL names its source") {
    Error e = settings_error({}, {}, {{"REDIS_URL", "http://h"}});
    CHECK(e.kind() == ErrorKind::usage);
    CHECK(std::string(e.what()).starts_with("REDIS_URL (.env): "));
    ConnectionFlags f;
    f.url = "nope";
    CHECK(std::string(settings_error(f, {}, {}).what()).starts_with("--url: "));
}

TEST_CASE("parse_bool: every spelling") {
    for (const std::string yes : {"1", "true", "TRUE", "True", "yes", "YES", "on", "On"}) {
        CAPTURE(yes);
        CHECK(parse_bool(yes, "REDIS_TLS"));
    }
    for (const std::string no : {"0", "false", "FALSE", "no", "No", "off", "OFF"}) {
        CAPTURE(no);
        CHECK_FALSE(parse_bool(no, "REDIS_TLS"));
    }
    for (const std::string bad : {"", "2", "tru", "y", "enabled", " true"}) {
        CAPTURE(bad);
        try {
            parse_bool(bad, "REDIS_TLS (environment)");
            FAIL("accepted a bad boolean");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(std::string(e.what()) ==
                  "REDIS_TLS (environment): expected true or false (or 1/0, yes/no, on/off)");
        }
    }
}

TEST_CASE("resolve_settings: REDIS_TLS in each source") {
    CHECK_FALSE(resolve_settings(host_flag("h"), {}, {{"REDIS_TLS", "off"}}).tls);
    CHECK_FALSE(resolve_settings(host_flag("h"), {{"REDIS_TLS", "no"}}, {}).tls);
    CHECK(resolve_settings(host_flag("h"), {{"REDIS_TLS", "1"}}, {{"REDIS_TLS", "0"}}).tls);
    Error e = settings_error(host_flag("h"), {{"REDIS_TLS", "maybe"}}, {});
    CHECK(e.kind() == ErrorKind::usage);
    CHECK(std::string(e.what()) ==
          "REDIS_TLS (environment): expected true or false (or 1/0, yes/no, on/off)");
}

TEST_CASE("resolve_settings: a bad REDIS_PORT names the variable and the source") {
    Error in_file = settings_error({}, {}, {{"REDIS_HOST", "h"}, {"REDIS_PORT", "ten"}});
    CHECK(in_file.kind() == ErrorKind::usage);
    CHECK(std::string(in_file.what()) ==
          "REDIS_PORT (.env): port must be a number from 1 to 65535");

    ConnectionFlags f;
    f.env_file = "conf/prod.env";
    Error named = settings_error(f, {}, {{"REDIS_HOST", "h"}, {"REDIS_PORT", "0"}});
    CHECK(std::string(named.what()) ==
          "REDIS_PORT (conf/prod.env): port must be a number from 1 to 65535");

    Error in_env = settings_error({}, {{"REDIS_PORT", "70000"}}, {{"REDIS_HOST", "h"}});
    CHECK(std::string(in_env.what()) ==
          "REDIS_PORT (environment): port must be a number from 1 to 65535");
}

TEST_CASE("resolve_settings: no host is a usage error with a hint") {
    Error e = settings_error({}, {{"REDIS_KEY", "k"}}, {{"REDIS_PORT", "6379"}});
    CHECK(e.kind() == ErrorKind::usage);
    CHECK(std::string(e.what()) == "no Redis host given");
    CHECK(e.hint().find("REDIS_HOST") != std::string::npos);
    CHECK(e.hint().find("--host") != std::string::npos);
}

TEST_CASE("resolve_settings: empty values are ignored") {
    Settings s = resolve_settings({},
                                  {{"REDIS_HOST", ""},
                                   {"REDIS_KEY", ""},
                                   {"REDIS_PORT", ""},
                                   {"REDIS_TLS", ""},
                                   {"REDIS_URL", ""}},
                                  {{"REDIS_HOST", "file-host"}, {"REDIS_KEY", "file-key"}});
    CHECK(s.host == "file-host");
    CHECK(s.password == "file-key");
    CHECK(s.port == 10000);
    CHECK(s.tls);
    CHECK(settings_error({}, {{"REDIS_HOST", ""}}, {{"REDIS_HOST", ""}}).kind() ==
          ErrorKind::usage);
}

TEST_CASE("resolve_settings: --cert and --key go together") {
    ConnectionFlags only_cert = host_flag("h");
    only_cert.cert = "client.crt";
    Error e = settings_error(only_cert, {}, {});
    CHECK(e.kind() == ErrorKind::usage);
    CHECK(std::string(e.what()) == "--cert and --key must be given together");

    ConnectionFlags only_key = host_flag("h");
    only_key.key = "client.key";
    CHECK(settings_error(only_key, {}, {}).kind() == ErrorKind::usage);

    ConnectionFlags both = host_flag("h");
    both.cert = "client.crt";
    both.key = "client.key";
    Settings s = resolve_settings(both, {}, {});
    CHECK(s.cert == "client.crt");
    CHECK(s.key == "client.key");
}

TEST_CASE("resolve_settings: connect timeout in seconds becomes milliseconds") {
    ConnectionFlags f = host_flag("h");
    f.connect_timeout_s = 5;
    CHECK(resolve_settings(f, {}, {}).connect_timeout == 5000ms);
    f.connect_timeout_s = 0.25;
    CHECK(resolve_settings(f, {}, {}).connect_timeout == 250ms);
    f.connect_timeout_s = 1.5;
    CHECK(resolve_settings(f, {}, {}).connect_timeout == 1500ms);
    f.connect_timeout_s = 0.0001;  // rounds up, never to zero
    CHECK(resolve_settings(f, {}, {}).connect_timeout == 1ms);
}

TEST_CASE("resolve_settings: a connect timeout that is not positive is a usage error") {
    for (double bad : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
        CAPTURE(bad);
        ConnectionFlags f = host_flag("h");
        f.connect_timeout_s = bad;
        Error e = settings_error(f, {}, {});
        CHECK(e.kind() == ErrorKind::usage);
        CHECK(std::string(e.what()).find("--connect-timeout") != std::string::npos);
    }
}

TEST_CASE("resolve_settings: errors never contain the password") {
    const std::string secret = "Pr1v4te-K3y-Value";
    ConnectionFlags f;
    f.password = secret;
    Error no_host = settings_error(f, {}, {});
    CHECK(std::string(no_host.what()).find(secret) == std::string::npos);
    CHECK(no_host.hint().find(secret) == std::string::npos);
    Error bad_port = settings_error({}, {}, {{"REDIS_URL", "rediss://:" + secret + "@h:99999"}});
    CHECK(std::string(bad_port.what()).find(secret) == std::string::npos);
}
