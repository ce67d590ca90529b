#include "redis/cluster_view.hpp"

#include <algorithm>
#include <utility>

namespace amr::redis {

ClusterView::ClusterView(config::Settings seed) : seed_(std::move(seed)) {}

void ClusterView::discover(Connection& seed, ClusterMode mode) {
    topology_ = discover_topology(seed, seed_.host);
    if (!topology_ && mode == ClusterMode::force) {
        throw Error(ErrorKind::failure, "--cluster: " + seed.endpoint() +
                                            " is not a Redis Cluster (CLUSTER SLOTS refused)");
    }
}

uint16_t ClusterView::slot_of(std::string_view name) const {
    return topology_ ? key_slot(name) : 0;
}

NodeAddress ClusterView::node_for(uint16_t slot) const {
    return topology_ ? topology_->primary_for(slot) : seed_node();
}

config::Settings ClusterView::settings_for(const NodeAddress& node) const {
    return topology_ ? node_settings(seed_, node) : seed_;
}

std::vector<NodeAddress> ClusterView::known_nodes() const {
    return topology_ ? topology_->all_nodes() : std::vector<NodeAddress>{};
}

std::optional<Redirect> ClusterView::note_redirect(std::string_view error,
                                                   const std::string& endpoint) {
    auto redirect = parse_redirect(error, seed_.host, endpoint);
    if (redirect) ask_first_ = redirect->target;
    return redirect;
}

void ClusterView::refresh() {
    const NodeAddress seed = seed_node();
    std::vector<NodeAddress> candidates;
    auto add = [&](const NodeAddress& node) {
        if (std::find(candidates.begin(), candidates.end(), node) == candidates.end())
            candidates.push_back(node);
    };
    if (ask_first_) add(*std::exchange(ask_first_, std::nullopt));
    add(seed);
    for (const auto& node : known_nodes()) add(node);
    std::optional<Error> failure;
    for (const auto& node : candidates) {
        try {
            Connection c = Connection::open(node == seed ? seed_ : node_settings(seed_, node));
            if (auto t = discover_topology(c, seed_.host)) {
                topology_ = std::move(t);
                return;
            }
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            failure = e;
        }
    }
    if (failure) throw *failure;
}

void ClusterView::refresh_from(Connection& connection) {
    topology_ = discover_topology(connection, seed_.host);
}

}  // namespace amr::redis
