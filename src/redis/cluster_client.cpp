#include "redis/cluster_client.hpp"

#include <spdlog/spdlog.h>

namespace amr::redis {
namespace {

constexpr int max_redirects = 5;

}  // namespace

ClusterClient::ClusterClient(config::Settings seed, ClusterMode mode)
    : view_(std::move(seed)), seed_(std::make_unique<Connection>(Connection::open(view_.seed()))) {
    view_.discover(*seed_, mode);
}

std::vector<NodeAddress> ClusterClient::nodes() {
    if (!view_.is_cluster()) return {view_.seed_node()};
    return list_nodes(*seed_, view_.seed().host);
}

Connection& ClusterClient::connection_to(const NodeAddress& node) {
    if (!view_.is_cluster()) return *seed_;
    for (auto& [address, connection] : nodes_) {
        if (address == node) return *connection;
    }
    nodes_.emplace_back(node,
                        std::make_unique<Connection>(Connection::open(view_.settings_for(node))));
    return *nodes_.back().second;
}

Connection& ClusterClient::owner_of(uint16_t slot) {
    return connection_to(view_.node_for(slot));
}

ReplyPtr ClusterClient::keyed_command(std::string_view key,
                                      const std::vector<std::string_view>& args) {
    if (!view_.is_cluster()) {
        last_endpoint_ = seed_->endpoint();
        return seed_->command(args);
    }
    Connection* target = &owner_of(key_slot(key));
    bool asking = false;
    for (int hop = 0;; ++hop) {
        last_endpoint_ = target->endpoint();
        if (asking) target->append({"ASKING"});
        target->append(args);
        if (asking) {
            expect_type(target->read_reply("ASKING").get(), {REDIS_REPLY_STATUS, REDIS_REPLY_ERROR},
                        "OK", "ASKING", last_endpoint_);
        }
        ReplyPtr reply = target->read_reply(args.front());
        if (reply->type != REDIS_REPLY_ERROR) return reply;
        const std::string_view error(reply->str, reply->len);
        auto redirect = parse_redirect(error, view_.seed().host, last_endpoint_);
        if (!redirect || hop >= max_redirects) throw reply_error(error, args.front());
        spdlog::debug("{} for '{}': following to {}", error, key, redirect->target.str());
        if (!redirect->ask) view_.refresh_from(*target);
        asking = redirect->ask;
        target = &connection_to(redirect->target);
    }
}

}  // namespace amr::redis
