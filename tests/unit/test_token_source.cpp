#include <doctest/doctest.h>

#include <string>

#include "auth/token_source.hpp"
#include "error.hpp"

using namespace amr::auth;
using namespace std::chrono;

namespace {

std::string b64url(const std::string& in) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned char c : in) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += table[(buffer >> bits) & 63];
        }
    }
    if (bits > 0) out += table[(buffer << (6 - bits)) & 63];
    return out;
}

std::string jwt(const std::string& payload) {
    return b64url("{\"alg\":\"RS256\"}") + "." + b64url(payload) + ".c2lnbmF0dXJl";
}

}  // namespace

TEST_CASE("jwt_expiry reads the exp claim of a JWT") {
    auto exp =
        jwt_expiry(jwt("{\"aud\":\"https://redis.azure.com\",\"exp\":1764073874,\"oid\":\"x\"}"));
    REQUIRE(exp);
    CHECK(duration_cast<seconds>(exp->time_since_epoch()).count() == 1764073874);
    CHECK(jwt_expiry(jwt("{\"exp\": 42}"))->time_since_epoch() == seconds(42));
}

TEST_CASE("jwt_expiry takes an exp past 2262 for never, not for the past") {
    // system_clock's nanoseconds end in April 2262; 10000000000 is in 2286.
    CHECK(jwt_expiry(jwt("{\"exp\":10000000000}")) == SystemTime::max());
    CHECK(jwt_expiry(jwt("{\"exp\":99999999999999999999999}")) == SystemTime::max());
    CHECK(*jwt_expiry(jwt("{\"exp\":9000000000}")) > system_clock::now());
    const long long exp = 10000000000;
    TokenSource source("echo " + jwt("{\"exp\":" + std::to_string(exp) + "}"), seconds(10));
    CHECK_NOTHROW(source.token());
    CHECK_FALSE(source.due());
}

TEST_CASE("TokenSource kills a command that overruns its timeout or prints too much") {
    TokenSource hung("sleep 30; echo late", milliseconds(200));
    CHECK_THROWS_WITH_AS(hung.token(), doctest::Contains("did not finish"), amr::Error);
    TokenSource endless("yes", seconds(30));
    CHECK_THROWS_WITH_AS(endless.token(), doctest::Contains("more than 64 KiB"), amr::Error);
}

TEST_CASE("jwt_expiry is empty for tokens that are not JWTs or have no exp") {
    CHECK_FALSE(jwt_expiry("an-access-key"));
    CHECK_FALSE(jwt_expiry("a.b"));
    CHECK_FALSE(jwt_expiry(jwt("{\"iat\":1}")));
    CHECK_FALSE(jwt_expiry(jwt("{\"exp\":\"soon\"}")));
    CHECK_FALSE(jwt_expiry("x.!!!.y"));
}

TEST_CASE("refresh_time is 3 minutes and the jitter before a long-lived token expires") {
    const SystemTime now{seconds(1000000)};
    const SystemTime expiry = now + minutes(60);
    CHECK(refresh_time(now, expiry, milliseconds(0)) == expiry - minutes(3));
    CHECK(refresh_time(now, expiry, seconds(20)) == expiry - minutes(3) - seconds(20));
}

TEST_CASE("refresh_time is about halfway for tokens shorter than 6 minutes, never in the past") {
    const SystemTime now{seconds(1000000)};
    CHECK(refresh_time(now, now + seconds(100), milliseconds(0)) == now + seconds(50));
    // The jitter is capped at a tenth of the lifetime.
    CHECK(refresh_time(now, now + seconds(10), seconds(30)) == now + seconds(4));
    CHECK(refresh_time(now, now + seconds(10), seconds(30)) > now);
}

TEST_CASE("TokenSource runs the command and trims its output") {
    TokenSource source("printf 'tok-123\\n'", seconds(10));
    CHECK(source.token() == "tok-123");
    CHECK_FALSE(source.refresh_at());
    CHECK_FALSE(source.due());
}

TEST_CASE("TokenSource schedules a refresh from the token's exp") {
    const long long exp =
        duration_cast<seconds>(system_clock::now().time_since_epoch()).count() + 3600;
    TokenSource source("echo " + jwt("{\"exp\":" + std::to_string(exp) + "}"), seconds(10));
    source.token();
    REQUIRE(source.refresh_at());
    CHECK(*source.refresh_at() < SystemTime(seconds(exp)) - minutes(3) + seconds(1));
    CHECK_FALSE(source.due());
}

TEST_CASE("TokenSource failures are auth errors that never show the output") {
    TokenSource failing("echo secret-output; exit 3", seconds(10));
    try {
        failing.token();
        FAIL("no error");
    } catch (const amr::Error& e) {
        CHECK(e.kind() == amr::ErrorKind::auth);
        CHECK(std::string(e.what()).find("exit status 3") != std::string::npos);
        CHECK(std::string(e.what()).find("secret-output") == std::string::npos);
    }
    TokenSource empty("true", seconds(10));
    CHECK_THROWS_AS(empty.token(), amr::Error);
    TokenSource expired("echo " + jwt("{\"exp\":100}"), seconds(10));
    CHECK_THROWS_WITH_AS(expired.token(), doctest::Contains("expired"), amr::Error);
}
