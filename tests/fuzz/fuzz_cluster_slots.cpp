// CLUSTER SLOTS replies (redis/cluster.hpp, topology_from_reply), built from the fuzz bytes
// as a Connection reads them (fuzz_replies.hpp). A topology has slot ranges within 0 to
// 16383, first <= last, and nodes with a host and a port from 1 to 65535, and every slot
// of a range finds a primary; a reply that is none is a protocol error (exit 3) naming
// the server, or, for NOPERM, the server's refusal (exit 4); other error replies mean "not
// a cluster".
#include "fuzz_replies.hpp"
#include "redis/cluster.hpp"

namespace {

void check_node(const amr::redis::NodeAddress& node) {
    fuzz::check(!node.host.empty(), "a node with no host", node.str());
    fuzz::check(node.port >= 1 && node.port <= 65535, "a node port out of range", node.str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const std::string seed = "seed.example";
    fuzz::for_each_reply(bytes, [&](const redisReply* reply) {
        try {
            const auto topology =
                amr::redis::topology_from_reply(reply, seed, std::string(fuzz::endpoint));
            if (!topology) {
                fuzz::check(reply->type == REDIS_REPLY_ERROR ||
                                (reply->type == REDIS_REPLY_ARRAY && reply->elements == 0),
                            "no topology from a reply that is neither an error nor empty");
                return;
            }
            fuzz::check(reply->type == REDIS_REPLY_ARRAY && !topology->ranges.empty(),
                        "a topology from a reply that is not an array of ranges");
            for (const auto& range : topology->ranges) {
                fuzz::check(range.first >= 0 && range.first <= range.last &&
                                range.last < amr::redis::slot_count,
                            "a slot range out of order or out of range");
                check_node(range.primary);
                for (const auto& replica : range.replicas) check_node(replica);
                for (int slot : {range.first, range.last}) {
                    check_node(topology->primary_for(static_cast<uint16_t>(slot)));
                }
            }
            for (const auto& node : topology->all_nodes()) check_node(node);
        } catch (const amr::Error& e) {
            const std::string_view what = e.what();
            if (e.kind() == amr::ErrorKind::auth) {
                fuzz::check(reply->type == REDIS_REPLY_ERROR && what.find("NOPERM") != what.npos,
                            "an auth error that is not the server's NOPERM", what);
                return;
            }
            fuzz::check(e.kind() == amr::ErrorKind::connection, "not a protocol error", what);
            fuzz::check(what.starts_with("protocol error from node.example:7000: ") &&
                            what.find("CLUSTER SLOTS") != what.npos,
                        "a protocol error that names neither the server nor CLUSTER SLOTS", what);
        }
    });
    return 0;
}
