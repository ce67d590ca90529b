// redis:// and rediss:// URLs (config/redis_url.hpp) with a secret planted in them, bare
// and as the password: an error never repeats it; a URL that parses names a host and a
// port in range.
#include "config/redis_url.hpp"
#include "fuzz_common.hpp"

namespace {

void parse(const std::string& url) {
    try {
        const auto u = amr::config::parse_redis_url(url, "REDIS_URL");
        fuzz::check(!u.host.empty(), "a URL parsed without a host", url);
        if (u.port) fuzz::check(*u.port >= 1 && *u.port <= 65535, "a port out of range", url);
    } catch (const amr::Error& e) {
        fuzz::check_no_secret(e);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text = fuzz::with_planted_secret(data, size);
    parse(text);
    // The secret as the password of the fuzzer's URL: "redis://user:SECRET@rest".
    const std::string rest(reinterpret_cast<const char*>(data), size);
    parse("redis://user:" + std::string(fuzz::planted_secret) + "@" + rest);
    parse("rediss://:" + std::string(fuzz::planted_secret) + rest);
    try {
        const int port = amr::config::parse_port(rest, "--port");
        fuzz::check(port >= 1 && port <= 65535, "parse_port out of range", rest);
    } catch (const amr::Error&) {
    }
    return 0;
}
