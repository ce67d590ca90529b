#include "auth/token_source.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "error.hpp"
#include "util/command_output.hpp"

namespace amr::auth {
namespace {

constexpr auto early = std::chrono::minutes(3);
constexpr auto max_jitter = std::chrono::seconds(30);
// Entra ID tokens are a few kilobytes; more is not a token.
constexpr size_t max_token_output = 64 * 1024;

int base64url_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-' || c == '+') return 62;
    if (c == '_' || c == '/') return 63;
    return -1;
}

std::optional<std::string> base64url_decode(std::string_view in) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=') break;
        int v = base64url_value(c);
        if (v < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

const char* const token_hint =
    "check --token-command / REDIS_TOKEN_COMMAND; for Azure: az account get-access-token "
    "--scope https://redis.azure.com/.default --query accessToken -o tsv";

}  // namespace

std::optional<SystemTime> jwt_expiry(std::string_view token) {
    const size_t first = token.find('.');
    if (first == std::string_view::npos) return std::nullopt;
    const size_t second = token.find('.', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
    if (!payload) return std::nullopt;
    // A full JSON parse is not needed for one numeric claim.
    const size_t key = payload->find("\"exp\"");
    if (key == std::string::npos) return std::nullopt;
    size_t i = payload->find(':', key);
    if (i == std::string::npos) return std::nullopt;
    ++i;
    while (i < payload->size() && (*payload)[i] == ' ') ++i;
    // system_clock counts nanoseconds in 64 bits, which end in 2262: a later exp is
    // as good as never, not an overflow into the past.
    constexpr long long last =
        std::chrono::duration_cast<std::chrono::seconds>(SystemTime::duration::max()).count();
    long long seconds = 0;
    bool digits = false;
    bool beyond = false;
    for (; i < payload->size() && (*payload)[i] >= '0' && (*payload)[i] <= '9'; ++i) {
        const int d = (*payload)[i] - '0';
        if (seconds > (last - d) / 10) beyond = true;
        if (!beyond) seconds = seconds * 10 + d;
        digits = true;
    }
    if (!digits) return std::nullopt;
    if (beyond) return SystemTime::max();
    return SystemTime(std::chrono::seconds(seconds));
}

SystemTime refresh_time(SystemTime now, SystemTime expiry, std::chrono::milliseconds jitter) {
    const auto lifetime = expiry - now;
    if (lifetime < 2 * early) {
        const auto spread = std::chrono::duration_cast<SystemTime::duration>(lifetime / 10);
        return now + lifetime / 2 - std::min<SystemTime::duration>(jitter, spread);
    }
    return expiry - early - jitter;
}

TokenSource::TokenSource(std::string command, std::chrono::milliseconds timeout)
    : command_(std::move(command)), timeout_(timeout) {}

void TokenSource::fetch() {
    spdlog::debug("running the token command");
    util::CommandOutput run = util::run_command(command_, timeout_, max_token_output);
    using End = util::CommandOutput::End;
    switch (run.end) {
        case End::exited:
            if (run.status == 0) break;
            throw Error(ErrorKind::auth,
                        "the token command failed (exit status " + std::to_string(run.status) + ")",
                        token_hint);
        case End::killed_by_signal:
            throw Error(ErrorKind::auth,
                        std::string("the token command was killed by signal ") +
                            std::to_string(run.status) + " (" + strsignal(run.status) + ")",
                        token_hint);
        case End::timed_out:
            throw Error(ErrorKind::auth,
                        "the token command did not finish within " +
                            std::to_string(timeout_.count()) +
                            " ms (--connect-timeout): it was killed",
                        token_hint);
        case End::too_long:
            throw Error(ErrorKind::auth,
                        "the token command printed more than " +
                            std::to_string(max_token_output / 1024) +
                            " KiB, which is not a token: it was killed",
                        token_hint);
        case End::stopped:
            throw Error(ErrorKind::failure,
                        "stopped by a signal while the token command ran: it was killed");
        case End::cannot_run:
            throw Error(ErrorKind::auth,
                        std::string("cannot run the token command: ") + std::strerror(errno),
                        token_hint);
    }
    std::string out = std::move(run.out);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) {
        out.pop_back();
    }
    if (out.empty()) throw Error(ErrorKind::auth, "the token command printed no token", token_hint);
    token_ = std::move(out);

    const auto now = std::chrono::system_clock::now();
    refresh_at_.reset();
    if (auto expiry = jwt_expiry(token_)) {
        if (*expiry <= now) {
            throw Error(ErrorKind::auth, "the token command printed an expired token", token_hint);
        }
        std::uniform_int_distribution<long long> pick(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(max_jitter).count());
        refresh_at_ = refresh_time(now, *expiry, std::chrono::milliseconds(pick(random_)));
        spdlog::debug("token expires in {} s; refreshing in {} s",
                      std::chrono::duration_cast<std::chrono::seconds>(*expiry - now).count(),
                      std::chrono::duration_cast<std::chrono::seconds>(*refresh_at_ - now).count());
    } else {
        spdlog::debug("the token has no exp claim: it is not refreshed");
    }
}

const std::string& TokenSource::token() {
    if (token_.empty()) fetch();
    return token_;
}

const std::string& TokenSource::refresh() {
    fetch();
    return token_;
}

bool TokenSource::due() const {
    return refresh_at_ && std::chrono::system_clock::now() >= *refresh_at_;
}

}  // namespace amr::auth
