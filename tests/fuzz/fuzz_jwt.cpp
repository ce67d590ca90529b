// The "exp" claim of a token command's JWT (auth/token_source.hpp): any token, and any
// payload bytes base64url-encoded into one, give an expiry or none, never a crash or UB
// (exp past 2262, negative, fractional, huge), and refresh_time() copes with the expiry.
#include <chrono>

#include "auth/token_source.hpp"
#include "fuzz_common.hpp"

namespace {

std::string base64url(std::string_view bytes) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += alphabet[(buffer >> bits) & 63];
        }
    }
    if (bits > 0) out += alphabet[(buffer << (6 - bits)) & 63];
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    // Odd first byte: the rest is the payload's JSON; even: the rest is the whole token.
    const std::string token =
        (data[0] & 1) ? "eyJhbGciOiJSUzI1NiJ9." + base64url(rest) + ".c2ln" : std::string(rest);
    const auto expiry = amr::auth::jwt_expiry(token);
    const auto now = std::chrono::system_clock::now();
    // TokenSource refuses an expired token before it asks when to refresh it.
    if (expiry && *expiry > now) {
        const auto at =
            amr::auth::refresh_time(now, *expiry, std::chrono::milliseconds(data[0] * 100));
        fuzz::check(at <= *expiry, "a refresh after the expiry");
    }
    return 0;
}
