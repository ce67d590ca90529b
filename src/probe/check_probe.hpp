// amr check's probe: connect, subscribe to a channel, publish on a second connection and
// time the message's way back. The phases of connecting are Connection::open's own
// (OpenTimes), so connecting happens in one place.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "error.hpp"

namespace amr::probe {

// Seconds each phase of one probe took.
struct Phases {
    double tcp_connect = 0;               // name resolution and TCP (subscriber's connection)
    std::optional<double> tls_handshake;  // with TLS
    std::optional<double> auth;           // AUTH, when there is a password or token
    double subscribe = 0;                 // (S)SUBSCRIBE sent to its confirmation
    double publish = 0;                   // (S)PUBLISH sent to its reply
    double rtt = 0;                       // (S)PUBLISH sent to the message received
};

// Where one series of probes goes: a server, or one primary of a cluster.
struct CheckTarget {
    config::Settings settings;
    std::string channel;
    bool sharded = false;  // SSUBSCRIBE and SPUBLISH
    std::string endpoint() const { return settings.host + ":" + std::to_string(settings.port); }
};

// One probe. Throws the Error of the phase that failed; a message that does not come
// back within --connect-timeout is a failure Error.
Phases run_probe(const CheckTarget& target, int number);

// "amr:check:" and 16 random hex digits; with a tag, "amr:check:{TAG}:" and them.
std::string fresh_channel(const std::string& tag = {});

// The targets: the server the settings name, on `channel` (default: a fresh one); with
// `all_shards`, every primary of the cluster on a channel whose hash tag is in its slots
// (a usage Error when the server is not a cluster).
std::vector<CheckTarget> check_targets(const config::Settings& settings,
                                       const std::optional<std::string>& channel, bool all_shards);

}  // namespace amr::probe
