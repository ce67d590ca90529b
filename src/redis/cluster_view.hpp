// One place for a cluster's topology (which node serves which slot), shared by
// ClusterClient (keyed commands) and the Subscriber (shard channels). On a plain server,
// or where CLUSTER is blocked (AMR's Enterprise policy), there is no topology and every
// name lives on the seed (the host the settings name).
//
// Refreshing asks first the node that just said a slot moved (MOVED, or an SUNSUBSCRIBE
// after a failover), or where it moved to: its view is the newest, another node's may
// still be the old one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"
#include "redis/cluster.hpp"
#include "redis/connection.hpp"

namespace amr::redis {

class ClusterView {
  public:
    explicit ClusterView(config::Settings seed);

    // Asks `seed` (a connection to the seed) for the topology. With ClusterMode::force a
    // server that is not a cluster is a failure Error ("--cluster: ... is not a Redis
    // Cluster").
    void discover(Connection& seed, ClusterMode mode);

    bool is_cluster() const { return topology_.has_value(); }
    const config::Settings& seed() const { return seed_; }
    NodeAddress seed_node() const { return {seed_.host, seed_.port}; }

    // The slot of `name` (a key or shard channel), 0 when not a cluster.
    uint16_t slot_of(std::string_view name) const;
    // The primary serving `slot` (throws a failure Error when none does), or the seed
    // when not a cluster.
    NodeAddress node_for(uint16_t slot) const;
    // Settings to connect to `node`: the seed's own when not a cluster.
    config::Settings settings_for(const NodeAddress& node) const;
    // Every node known, primaries first (empty when not a cluster).
    std::vector<NodeAddress> known_nodes() const;

    // The node to ask first at the next refresh().
    void ask_first(NodeAddress node) { ask_first_ = std::move(node); }
    // Parses a MOVED/ASK error that `endpoint` sent (see parse_redirect: a redirect out of
    // range is a protocol Error); a redirect's target is asked first at the next refresh().
    std::optional<Redirect> note_redirect(std::string_view error, const std::string& endpoint);

    // Finds the topology anew, connecting in turn to the node to ask first, the seed, and
    // every node known, until one answers; throws the last connection Error when none does.
    void refresh();
    // Takes the topology from `connection` (the node that said MOVED) as it is now; a
    // node that says it is no cluster leaves no topology.
    void refresh_from(Connection& connection);

  private:
    config::Settings seed_;
    std::optional<Topology> topology_;
    std::optional<NodeAddress> ask_first_;
};

}  // namespace amr::redis
