// Microsoft Entra ID sign-in: the password is an access token printed by a command (for
// Azure: az account get-access-token --scope https://redis.azure.com/.default --query
// accessToken -o tsv). The token is a JWT; before its "exp" amr runs the command again
// and re-authenticates every open connection, or the server closes them.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace amr::auth {

using SystemTime = std::chrono::system_clock::time_point;

// The "exp" claim of a JWT (header.payload.signature, base64url); nullopt when `token` is
// not a JWT or has no numeric exp.
std::optional<SystemTime> jwt_expiry(std::string_view token);

// When to fetch a new token: 3 minutes and `jitter` before `expiry` (the jitter, up to
// 30 s, spreads many clients' refreshes), or halfway to it, less up to a tenth of the
// lifetime, for tokens that live less than 6 minutes.
SystemTime refresh_time(SystemTime now, SystemTime expiry, std::chrono::milliseconds jitter);

class TokenSource {
  public:
    // `timeout` bounds each run of the command (see util::run_command).
    TokenSource(std::string command, std::chrono::milliseconds timeout);

    // The current token, fetched on first use. Throws an auth Error (exit 4) when the
    // command fails, overruns its timeout or prints nothing (or more than 64 KiB); its
    // output is never shown.
    const std::string& token();
    // Runs the command again; returns the new token.
    const std::string& refresh();
    // When refresh() is due (system clock); nullopt when the token has no expiry.
    std::optional<SystemTime> refresh_at() const { return refresh_at_; }
    // Whether a refresh is due now.
    bool due() const;

  private:
    void fetch();

    std::string command_;
    std::chrono::milliseconds timeout_;
    std::string token_;
    std::optional<SystemTime> refresh_at_;
    std::mt19937 random_{std::random_device{}()};
};

}  // namespace amr::auth
