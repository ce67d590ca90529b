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

std::string error_text(const redisReply* r) {
    return r && r->str ? std::string(r->str, r->len) : std::string();
}

// An integer of CLUSTER SLOTS within [low, high]: a slot or a port.
int number_in(const redisReply* r, long long low, long long high, const char* what,
              const std::string& where) {
    expect_type(r, {REDIS_REPLY_INTEGER}, "an integer", "CLUSTER SLOTS", where);
    if (r->integer < low || r->integer > high) {
        throw protocol_error(where, std::string("CLUSTER SLOTS gave ") + what + " " +
                                        std::to_string(r->integer) + ", out of range");
    }
    return static_cast<int>(r->integer);
}

NodeAddress address_of(const redisReply* node, const std::string& seed_host,
                       const std::string& where) {
    expect_type(node, {REDIS_REPLY_ARRAY}, "an array", "CLUSTER SLOTS (a node)", where);
    if (node->elements < 2) {
        throw protocol_error(where, "CLUSTER SLOTS gave a node without host and port");
    }
    NodeAddress a;
    a.host = std::string(text_of(node->element[0], "CLUSTER SLOTS (a host)", where));
    if (a.host.empty() || a.host == "?") a.host = seed_host;
    a.port = number_in(node->element[1], 1, 65535, "port", where);
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

// A port of a node address, from 1 to 65535, or nullopt.
std::optional<int> port_of(std::string_view text) {
    int port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port < 1 ||
        port > 65535) {
        return std::nullopt;
    }
    return port;
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
    ReplyPtr reply = connection.read_reply("CLUSTER SLOTS");
    return topology_from_reply(reply.get(), seed_host, connection.endpoint());
}

std::optional<Topology> topology_from_reply(const redisReply* reply, const std::string& seed_host,
                                            const std::string& where) {
    if (reply->type == REDIS_REPLY_ERROR) {
        const std::string error = error_text(reply);
        if (error.starts_with("NOPERM")) throw reply_error(error, "CLUSTER SLOTS");
        spdlog::debug("not a cluster: CLUSTER SLOTS: {}", error);
        return std::nullopt;
    }
    expect_type(reply, {REDIS_REPLY_ARRAY}, "an array", "CLUSTER SLOTS", where);
    Topology topology;
    for (size_t i = 0; i < reply->elements; ++i) {
        const redisReply* entry = reply->element[i];
        expect_type(entry, {REDIS_REPLY_ARRAY}, "an array", "CLUSTER SLOTS (a range)", where);
        if (entry->elements < 3) {
            throw protocol_error(where, "CLUSTER SLOTS gave a slot range without a node");
        }
        SlotRange range;
        range.first = number_in(entry->element[0], 0, slot_count - 1, "slot", where);
        range.last = number_in(entry->element[1], range.first, slot_count - 1, "slot", where);
        range.primary = address_of(entry->element[2], seed_host, where);
        for (size_t k = 3; k < entry->elements; ++k) {
            range.replicas.push_back(address_of(entry->element[k], seed_host, where));
        }
        topology.ranges.push_back(std::move(range));
    }
    if (topology.ranges.empty()) return std::nullopt;  // cluster mode with no slots yet
    spdlog::debug("cluster of {} node(s), {} slot range(s)", topology.all_nodes().size(),
                  topology.ranges.size());
    return topology;
}

std::vector<NodeAddress> parse_cluster_nodes(std::string_view text, const std::string& seed_host,
                                             const std::string& endpoint) {
    std::vector<NodeAddress> nodes;
    for (int number = 1; !text.empty(); ++number) {
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
        const std::string_view endpoint_text = address.substr(0, address.find('@'));
        const size_t colon = endpoint_text.rfind(':');
        const auto port = colon == std::string_view::npos
                              ? std::nullopt
                              : port_of(endpoint_text.substr(colon + 1));
        if (!port) {
            throw protocol_error(endpoint, "CLUSTER NODES line " + std::to_string(number) +
                                               " gave a node address without a port from 1 "
                                               "to 65535: '" +
                                               std::string(address) + "'");
        }
        NodeAddress node;
        node.host = std::string(endpoint_text.substr(0, colon));
        if (node.host.empty()) node.host = seed_host;
        node.port = *port;
        if (std::find(nodes.begin(), nodes.end(), node) == nodes.end()) nodes.push_back(node);
    }
    return nodes;
}

std::vector<NodeAddress> list_nodes(Connection& connection, const std::string& seed_host) {
    ReplyPtr reply = connection.command({"CLUSTER", "NODES"});
    return parse_cluster_nodes(text_of(reply.get(), "CLUSTER NODES", connection.endpoint()),
                               seed_host, connection.endpoint());
}

config::Settings node_settings(const config::Settings& seed, const NodeAddress& node) {
    config::Settings s = seed;
    if (s.tls_name.empty()) s.tls_name = seed.host;
    s.host = node.host;
    s.port = node.port;
    return s;
}

std::optional<Redirect> parse_redirect(std::string_view error, const std::string& seed_host,
                                       const std::string& endpoint) {
    Redirect r;
    if (error.starts_with("MOVED ")) {
        error.remove_prefix(6);
    } else if (error.starts_with("ASK ")) {
        r.ask = true;
        error.remove_prefix(4);
    } else {
        return std::nullopt;
    }
    const std::string verb = r.ask ? "ASK" : "MOVED";
    const size_t space = error.find(' ');
    const std::string_view slot_text = error.substr(0, space);
    int slot = 0;
    auto [slot_end, slot_ec] =
        std::from_chars(slot_text.data(), slot_text.data() + slot_text.size(), slot);
    if (slot_text.empty() || slot_ec != std::errc() ||
        slot_end != slot_text.data() + slot_text.size() || slot < 0 || slot >= slot_count) {
        throw protocol_error(endpoint, verb + " redirect gave slot '" + std::string(slot_text) +
                                           "', not a slot from 0 to 16383");
    }
    r.slot = static_cast<uint16_t>(slot);
    const std::string_view target =
        space == std::string_view::npos ? std::string_view() : error.substr(space + 1);
    const size_t colon = target.rfind(':');
    const auto port =
        colon == std::string_view::npos ? std::nullopt : port_of(target.substr(colon + 1));
    if (!port) {
        throw protocol_error(endpoint, verb + " redirect gave '" + std::string(target) +
                                           "', not a host:port with a port from 1 to 65535");
    }
    r.target.host = std::string(target.substr(0, colon));
    if (r.target.host.empty()) r.target.host = seed_host;
    r.target.port = *port;
    return r;
}

}  // namespace amr::redis
