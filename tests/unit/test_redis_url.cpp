#include <doctest/doctest.h>

#include <string>

#include "config/redis_url.hpp"
#include "error.hpp"

using amr::Error;
using amr::ErrorKind;
using amr::config::parse_port;
using amr::config::parse_redis_url;
using amr::config::RedisUrl;

namespace {

const char* const secret = "Sup3rS3cretKey";

Error url_error(const std::string& url, const std::string& origin = "--url") {
    try {
        parse_redis_url(url, origin);
    } catch (const Error& e) {
        return e;
    }
    FAIL("parse_redis_url accepted " << url);
    return Error(ErrorKind::failure, "unreachable");
}

// A usage error naming the origin and never echoing `secret` (or a part of it).
std::string check_url_error(const std::string& url, const std::string& origin = "--url") {
    Error e = url_error(url, origin);
    const std::string what = e.what();
    CHECK(e.kind() == ErrorKind::usage);
    CHECK_MESSAGE(what.starts_with(origin + ": "), what);
    CHECK_MESSAGE(what.find(secret) == std::string::npos, what);
    CHECK_MESSAGE(what.find("S3cret") == std::string::npos, what);
    CHECK_MESSAGE(what.find("Sup3r") == std::string::npos, what);
    return what;
}

}  // namespace

TEST_CASE("parse_redis_url: redis:// is plain, rediss:// is TLS") {
    RedisUrl plain = parse_redis_url("redis://localhost", "--url");
    CHECK_FALSE(plain.tls);
    CHECK(plain.host == "localhost");
    CHECK_FALSE(plain.port.has_value());
    CHECK_FALSE(plain.user.has_value());
    CHECK_FALSE(plain.password.has_value());

    RedisUrl tls = parse_redis_url("rediss://x.eastus.redis.azure.net:10000", "--url");
    CHECK(tls.tls);
    CHECK(tls.host == "x.eastus.redis.azure.net");
    REQUIRE(tls.port.has_value());
    CHECK(*tls.port == 10000);
}

TEST_CASE("parse_redis_url: user and password") {
    RedisUrl u = parse_redis_url("rediss://alice:open-sesame@h:6380", "--url");
    CHECK(u.user == std::optional<std::string>("alice"));
    CHECK(u.password == std::optional<std::string>("open-sesame"));
    CHECK(u.host == "h");
    CHECK(u.port == std::optional<int>(6380));
}

TEST_CASE("parse_redis_url: password only") {
    RedisUrl u = parse_redis_url("rediss://:AbC+dEf=@h", "--url");
    CHECK_FALSE(u.user.has_value());
    CHECK(u.password == std::optional<std::string>("AbC+dEf="));
    CHECK(u.host == "h");
}

TEST_CASE("parse_redis_url: user only") {
    RedisUrl u = parse_redis_url("redis://bob@h", "--url");
    CHECK(u.user == std::optional<std::string>("bob"));
    CHECK_FALSE(u.password.has_value());
}

TEST_CASE("parse_redis_url: empty password is present but empty") {
    RedisUrl u = parse_redis_url("redis://bob:@h", "--url");
    CHECK(u.user == std::optional<std::string>("bob"));
    CHECK(u.password == std::optional<std::string>(""));
}

TEST_CASE("parse_redis_url: percent-escapes in user name and password") {
    RedisUrl u = parse_redis_url("redis://us%40er:p%2Fa%3As%40s%25%3f@h:1", "--url");
    CHECK(u.user == std::optional<std::string>("us@er"));
    CHECK(u.password == std::optional<std::string>("p/a:s@s%?"));
    CHECK(u.host == "h");
    CHECK(u.port == std::optional<int>(1));
}

TEST_CASE("parse_redis_url: '@' inside the password before the last '@'") {
    RedisUrl u = parse_redis_url("redis://u:p@ss@h", "--url");
    CHECK(u.user == std::optional<std::string>("u"));
    CHECK(u.password == std::optional<std::string>("p@ss"));
    CHECK(u.host == "h");
}

TEST_CASE("parse_redis_url: bad percent-escapes are errors without the password") {
    std::string what = check_url_error(std::string("redis://:") + secret + "%zz@h");
    CHECK(what.find("password") != std::string::npos);
    check_url_error(std::string("redis://:") + secret + "%4@h");
    check_url_error(std::string("redis://:") + secret + "%@h");
    CHECK(check_url_error("redis://us%G0r@h").find("user name") != std::string::npos);
}

TEST_CASE("parse_redis_url: IPv6 addresses in brackets") {
    RedisUrl with_port = parse_redis_url("redis://[::1]:6380", "--url");
    CHECK(with_port.host == "::1");
    CHECK(with_port.port == std::optional<int>(6380));

    RedisUrl no_port = parse_redis_url("rediss://:pw@[fe80::1:2]", "--url");
    CHECK(no_port.host == "fe80::1:2");
    CHECK_FALSE(no_port.port.has_value());
    CHECK(no_port.password == std::optional<std::string>("pw"));
}

TEST_CASE("parse_redis_url: malformed IPv6 brackets") {
    check_url_error("redis://[::1:6380");
    check_url_error("redis://[::1]6380");
    check_url_error("redis://[]:6380");
}

TEST_CASE("parse_redis_url: missing host") {
    CHECK(check_url_error("redis://").find("no host") != std::string::npos);
    CHECK(check_url_error("redis://:6379").find("no host") != std::string::npos);
    CHECK(check_url_error(std::string("rediss://:") + secret + "@").find("no host") !=
          std::string::npos);
    CHECK(check_url_error(std::string("rediss://:") + secret + "@:10000/0").find("no host") !=
          std::string::npos);
}

TEST_CASE("parse_redis_url: bad ports") {
    for (const std::string port : {"0", "70000", "65536", "abc", "-1", "12a", " 1"}) {
        CAPTURE(port);
        std::string what =
            check_url_error(std::string("rediss://:") + secret + "@h:" + port, "REDIS_URL");
        CHECK(what.find("1 to 65535") != std::string::npos);
    }
    CHECK(parse_redis_url("redis://h:65535", "x").port == std::optional<int>(65535));
    CHECK(parse_redis_url("redis://h:1", "x").port == std::optional<int>(1));
}

TEST_CASE("parse_redis_url: without @host the password is taken for the port, never shown") {
    CHECK(check_url_error(std::string("redis://default:") + secret, "REDIS_URL")
              .find("port must be a number") != std::string::npos);
    check_url_error(std::string("rediss://default:") + secret + "/0");
}

TEST_CASE("parse_redis_url: bad scheme") {
    for (const std::string url :
         {"http://h:6379", "h:6379", "", "redis:/h", "REDIS://h", "tcp://h"}) {
        CAPTURE(url);
        CHECK(check_url_error(url).find("redis:// or rediss://") != std::string::npos);
    }
}

TEST_CASE("parse_redis_url: a bad scheme does not echo the URL's password") {
    check_url_error(std::string("https://:") + secret + "@h");
}

TEST_CASE("parse_redis_url: the /db path and ?query are ignored") {
    RedisUrl u = parse_redis_url("redis://:pw@h:6379/3", "--url");
    CHECK(u.host == "h");
    CHECK(u.port == std::optional<int>(6379));
    CHECK(u.password == std::optional<std::string>("pw"));
    RedisUrl q = parse_redis_url("rediss://h/0?timeout=5", "--url");
    CHECK(q.host == "h");
    CHECK_FALSE(q.port.has_value());
    CHECK(parse_redis_url("redis://h?x=1", "--url").host == "h");
}

TEST_CASE("parse_redis_url: an unescaped '/' in the password is an error that hides it") {
    // AMR access keys are base64 and often hold '/': unescaped, the part after '/' must not
    // become a host or port, nor appear in the message.
    std::string what = check_url_error("rediss://default:Sup3r/S3cret@h:10000");
    CHECK(what == "--url: '/' or '?' in the user name or password");
    CHECK(url_error("rediss://default:Sup3r/S3cret@h:10000").hint().find("%2F") !=
          std::string::npos);
    check_url_error("rediss://:Sup3r/S3cretKey@h");
    check_url_error("rediss://default:12345/Sup3r@h");
    check_url_error("rediss://default:Sup3r?S3cret@h");
}

TEST_CASE("parse_port: valid and invalid ports") {
    CHECK(parse_port("10000", "REDIS_PORT") == 10000);
    CHECK(parse_port("1", "REDIS_PORT") == 1);
    CHECK(parse_port("65535", "REDIS_PORT") == 65535);
    for (const std::string bad :
         {"", "0", "65536", "70000", "abc", "-5", "10 ", "+1", "1.5", "99999999999999999999"}) {
        CAPTURE(bad);
        try {
            parse_port(bad, "REDIS_PORT (.env)");
            FAIL("accepted a bad port");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(std::string(e.what()) ==
                  "REDIS_PORT (.env): port must be a number from 1 to 65535");
        }
    }
}
