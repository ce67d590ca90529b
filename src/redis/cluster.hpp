// Redis Cluster: hash slots, the topology (CLUSTER SLOTS), and MOVED/ASK redirections.
// Azure Managed Redis's OSS cluster policy exposes this API; its Enterprise policy and
// plain servers do not, and amr then talks to the one endpoint it was given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"
#include "redis/connection.hpp"

namespace amr::redis {

constexpr int slot_count = 16384;

// The slot of a key or shard channel: CRC16 of the key, or of its {hash tag}, mod 16384.
uint16_t key_slot(std::string_view key);

struct NodeAddress {
    std::string host;
    int port = 0;
    bool operator==(const NodeAddress&) const = default;
    std::string str() const { return host + ":" + std::to_string(port); }
};

struct SlotRange {
    int first = 0;
    int last = 0;
    NodeAddress primary;
    std::vector<NodeAddress> replicas;
};

struct Topology {
    std::vector<SlotRange> ranges;

    // The primary serving `slot`; throws a failure Error when no node has it.
    const NodeAddress& primary_for(uint16_t slot) const;
    // Every node, primaries first, each once.
    std::vector<NodeAddress> all_nodes() const;
};

// The cluster's topology, or nullopt when the server is not a cluster (cluster support
// disabled, or CLUSTER blocked as behind AMR's Enterprise proxy). `seed_host` stands in
// for nodes that announce no address.
std::optional<Topology> discover_topology(Connection& connection, const std::string& seed_host);
// The same from the reply to CLUSTER SLOTS that `endpoint` sent: a reply that is not a
// topology (a slot or port out of range, a wrong type) is a protocol error naming it.
std::optional<Topology> topology_from_reply(const redisReply* reply, const std::string& seed_host,
                                            const std::string& endpoint);

// Every node not known to have failed, replicas included (CLUSTER NODES; CLUSTER SLOTS
// may leave out replicas that are still syncing).
std::vector<NodeAddress> list_nodes(Connection& connection, const std::string& seed_host);
// The same from CLUSTER NODES' text: nodes flagged fail, noaddr or handshake are left out,
// those only suspected (fail?) kept. A node address without a port from 1 to 65535 is a
// protocol error from `endpoint` (a lying server), naming the line.
std::vector<NodeAddress> parse_cluster_nodes(std::string_view text, const std::string& seed_host,
                                             const std::string& endpoint);

// Settings to reach `node`: its address, and the seed's credentials, TLS options and the
// host name certificates must carry.
config::Settings node_settings(const config::Settings& seed, const NodeAddress& node);

// Parses "MOVED 3999 127.0.0.1:6381" and "ASK ..."; nullopt for other errors. A MOVED or
// ASK without a slot from 0 to 16383 and a host:port with a port from 1 to 65535 is a
// protocol error from `endpoint`, naming what was wrong.
struct Redirect {
    bool ask = false;
    uint16_t slot = 0;
    NodeAddress target;
};
std::optional<Redirect> parse_redirect(std::string_view error, const std::string& seed_host,
                                       const std::string& endpoint);

// How a command decides whether to use the cluster API.
enum class ClusterMode { detect, force };

}  // namespace amr::redis
