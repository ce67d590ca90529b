#include "config/redis_url.hpp"

#include <charconv>

#include "error.hpp"

namespace amr::config {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s, const std::string& origin, const char* part) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        int hi = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
        int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
        if (hi < 0 || lo < 0) throw usage_error(origin + ": bad %-escape in the " + part);
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

}  // namespace

int parse_port(std::string_view text, const std::string& origin) {
    int port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port < 1 ||
        port > 65535) {
        // Not quoted: in a URL without "@host" the "port" is the password.
        throw usage_error(origin + ": port must be a number from 1 to 65535");
    }
    return port;
}

RedisUrl parse_redis_url(std::string_view url, const std::string& origin) {
    RedisUrl result;
    std::string_view rest;
    if (url.starts_with("redis://")) {
        rest = url.substr(8);
    } else if (url.starts_with("rediss://")) {
        result.tls = true;
        rest = url.substr(9);
    } else {
        throw usage_error(origin + ": URL must start with redis:// or rediss://");
    }
    // Drop a /db path and ?query: pub/sub ignores the database number.
    size_t slash = rest.find_first_of("/?");
    // An '@' after it means an unescaped '/' or '?' in the user name or password (base64
    // access keys hold '/'): parsing on would take part of the password for host and port.
    if (slash != std::string_view::npos && rest.find('@', slash) != std::string_view::npos) {
        throw usage_error(origin + ": '/' or '?' in the user name or password",
                          "percent-encode them in the URL ('/' as %2F, '?' as %3F)");
    }
    if (slash != std::string_view::npos) rest = rest.substr(0, slash);

    size_t at = rest.rfind('@');
    if (at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        size_t colon = userinfo.find(':');
        std::string_view user = userinfo.substr(0, colon);
        if (!user.empty()) result.user = percent_decode(user, origin, "user name");
        if (colon != std::string_view::npos) {
            result.password = percent_decode(userinfo.substr(colon + 1), origin, "password");
        }
    }

    std::string_view hostport = rest;
    std::string_view port_text;
    if (hostport.starts_with('[')) {  // [IPv6]:port
        size_t close = hostport.find(']');
        if (close == std::string_view::npos) throw usage_error(origin + ": missing ']' in host");
        result.host = std::string(hostport.substr(1, close - 1));
        std::string_view after = hostport.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') throw usage_error(origin + ": unexpected text after ']'");
            port_text = after.substr(1);
        }
    } else {
        size_t colon = hostport.rfind(':');
        result.host = std::string(hostport.substr(0, colon));
        if (colon != std::string_view::npos) port_text = hostport.substr(colon + 1);
    }
    if (result.host.empty()) throw usage_error(origin + ": URL has no host");
    if (!port_text.empty()) result.port = parse_port(port_text, origin);
    return result;
}

}  // namespace amr::config
