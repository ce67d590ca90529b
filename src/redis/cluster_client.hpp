// Commands in a cluster: a connection per node as needed, keyed commands routed to the
// slot's primary, MOVED and ASK followed (with a topology refresh after MOVED). On a
// plain server, or where CLUSTER is blocked, everything goes to the one host. The topology
// is a ClusterView (cluster_view.hpp), as the Subscriber's is.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/cluster.hpp"
#include "redis/cluster_view.hpp"
#include "redis/connection.hpp"

namespace amr::redis {

class ClusterClient {
  public:
    // Connects to the host the settings name and asks it for the topology.
    ClusterClient(config::Settings seed, ClusterMode mode);

    bool is_cluster() const { return view_.is_cluster(); }
    Connection& seed() { return *seed_; }
    // Every node of the cluster (just the host when not a cluster).
    std::vector<NodeAddress> nodes();
    Connection& connection_to(const NodeAddress& node);

    // Sends a command about `key` (a shard channel) where its slot lives; error replies
    // other than redirections throw.
    ReplyPtr keyed_command(std::string_view key, const std::vector<std::string_view>& args);
    // The node that gave keyed_command()'s last reply, for messages.
    const std::string& last_endpoint() const { return last_endpoint_; }

  private:
    Connection& owner_of(uint16_t slot);

    ClusterView view_;
    std::unique_ptr<Connection> seed_;
    std::vector<std::pair<NodeAddress, std::unique_ptr<Connection>>> nodes_;
    std::string last_endpoint_;
};

}  // namespace amr::redis
