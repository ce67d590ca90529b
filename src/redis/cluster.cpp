#include "redis/cluster.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

namespace amr::redis {
namespace {

uint16_t crc16(std::string_view data) {
    uint16_t crc = 0;
    for (unsigned char byte : data) {
        crc ^= static_cast<uint16_t>(byte) << 8;
        for (int i = 0; i < 8; ++i) {
            crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                                 : static_cast<uint16_t>(crc << 1);
        }
    }
    return crc;
}

std::string text_of(const redisReply* r) {
    return r && r->str ? std::string(r->str, r->len) : std::string();
}

NodeAddress address_of(const redisReply* node, const std::string& seed_host) {
    NodeAddress a;
    if (node->type != REDIS_REPLY_ARRAY || node->elements < 2) return a;
    a.host = text_of(node->element[0]);
    if (a.host.empty() || a.host == "?") a.host = seed_host;
    a.port = static_cast<int>(node->element[1]->integer);
    return a;
}

// True when the comma-separated `flags` hold `flag` itself ("fail" is not "fail?").
bool has_flag(std::string_view flags, std::string_view flag) {
    while (!flags.empty()) {
        const size_t comma = flags.find(',');
        if (flags.substr(0, comma) == flag) return true;
        if (comma == std::string_view::npos) break;
        flags.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

uint16_t key_slot(std::string_view key) {
    const size_t open = key.find('{');
    if (open != std::string_view::npos) {
        const size_t close = key.find('}', open + 1);
        if (close != std::string_view::npos && close > open + 1) {
            key = key.substr(open + 1, close - open - 1);
        }
    }
    return crc16(key) % slot_count;
}

const NodeAddress& Topology::primary_for(uint16_t slot) const {
    for (const auto& r : ranges) {
        if (slot >= r.first && slot <= r.last) return r.primary;
    }
    throw Error(ErrorKind::failure, "no cluster node serves slot " + std::to_string(slot));
}

std::vector<NodeAddress> Topology::all_nodes() const {
    std::vector<NodeAddress> nodes;
    auto add = [&](const NodeAddress& a) {
        if (std::find(nodes.begin(), nodes.end(), a) == nodes.end()) nodes.push_back(a);
    };
    for (const auto& r : ranges) add(r.primary);
    for (const auto& r : ranges) {
        for (const auto& replica : r.replicas) add(replica);
    }
    return nodes;
}

std::optional<Topology> discover_topology(Connection& connection, const std::string& seed_host) {
    connection.append({"CLUSTER", "SLOTS"});
    ReplyPtr reply = connection.read_reply();
    if (reply->type == REDIS_REPLY_ERROR) {
        const std::string error = text_of(reply.get());
        if (error.starts_with("NOPERM")) throw reply_error(error, "CLUSTER SLOTS");
        spdlog::debug("not a cluster: CLUSTER SLOTS: {}", error);
        return std::nullopt;
    }
    Topology topology;
    for (size_t i = 0; i < reply->elements; ++i) {
        const redisReply* entry = reply->element[i];
        if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 3) continue;
        SlotRange range;
        range.first = static_cast<int>(entry->element[0]->integer);
        range.last = static_cast<int>(entry->element[1]->integer);
        range.primary = address_of(entry->element[2], seed_host);
        for (size_t k = 3; k < entry->elements; ++k) {
            range.replicas.push_back(address_of(entry->element[k], seed_host));
        }
        topology.ranges.push_back(std::move(range));
    }
    if (topology.ranges.empty()) return std::nullopt;  // cluster mode with no slots yet
    spdlog::debug("cluster of {} node(s), {} slot range(s)", topology.all_nodes().size(),
                  topology.ranges.size());
    return topology;
}

std::vector<NodeAddress> parse_cluster_nodes(std::string_view text, const std::string& seed_host) {
    std::vector<NodeAddress> nodes;
    while (!text.empty()) {
        const size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
        // <id> <ip:port@cport[,hostname]> <flags> ...
        const size_t a = line.find(' ');
        const size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
        const size_t c = b == std::string_view::npos ? b : line.find(' ', b + 1);
        if (c == std::string_view::npos) continue;
        const std::string_view address = line.substr(a + 1, b - a - 1);
        const std::string_view flags = line.substr(b + 1, c - b - 1);
        // A node only suspected of failing ("fail?", one node's view, often a busy
        // moment) is still asked; one the cluster agreed has failed is not.
        if (has_flag(flags, "fail") || has_flag(flags, "noaddr") || has_flag(flags, "handshake")) {
            continue;
        }
        const std::string_view endpoint = address.substr(0, address.find('@'));
        const size_t colon = endpoint.rfind(':');
        if (colon == std::string_view::npos) continue;
        NodeAddress node;
        node.host = std::string(endpoint.substr(0, colon));
        if (node.host.empty()) node.host = seed_host;
        std::from_chars(endpoint.data() + colon + 1, endpoint.data() + endpoint.size(), node.port);
        if (std::find(nodes.begin(), nodes.end(), node) == nodes.end()) nodes.push_back(node);
    }
    return nodes;
}

std::vector<NodeAddress> list_nodes(Connection& connection, const std::string& seed_host) {
    ReplyPtr reply = connection.command({"CLUSTER", "NODES"});
    return parse_cluster_nodes(std::string_view(reply->str, reply->len), seed_host);
}

config::Settings node_settings(const config::Settings& seed, const NodeAddress& node) {
    config::Settings s = seed;
    if (s.tls_name.empty()) s.tls_name = seed.host;
    s.host = node.host;
    s.port = node.port;
    return s;
}

std::optional<Redirect> parse_redirect(std::string_view error, const std::string& seed_host) {
    Redirect r;
    if (error.starts_with("MOVED ")) {
        error.remove_prefix(6);
    } else if (error.starts_with("ASK ")) {
        r.ask = true;
        error.remove_prefix(4);
    } else {
        return std::nullopt;
    }
    const size_t space = error.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    int slot = 0;
    std::from_chars(error.data(), error.data() + space, slot);
    r.slot = static_cast<uint16_t>(slot);
    std::string_view endpoint = error.substr(space + 1);
    const size_t colon = endpoint.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    r.target.host = std::string(endpoint.substr(0, colon));
    if (r.target.host.empty()) r.target.host = seed_host;
    std::from_chars(endpoint.data() + colon + 1, endpoint.data() + endpoint.size(), r.target.port);
    return r;
}

}  // namespace amr::redis
