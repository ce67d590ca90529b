// What cluster nodes say (redis/cluster.hpp): CLUSTER NODES text, MOVED/ASK errors and key
// slots. A redirect names a slot in range and a port in range; no node has an empty host.
// CLUSTER SLOTS is read inside discover_topology() from a live Connection, not a pure
// function: not fuzzed here (docs/FUZZING.md).
#include "fuzz_common.hpp"
#include "redis/cluster.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string seed = "seed.example";
    try {
        for (const auto& node : amr::redis::parse_cluster_nodes(text, seed)) {
            fuzz::check(!node.host.empty(), "a CLUSTER NODES node with no host", node.str());
            fuzz::check_open(node.port >= 1 && node.port <= 65535,
                             "a CLUSTER NODES port out of range", node.str());
        }
    } catch (const amr::Error&) {
    }
    try {
        if (auto r = amr::redis::parse_redirect(text, seed)) {
            fuzz::check_open(r->slot < amr::redis::slot_count, "a redirect slot out of range",
                             std::to_string(r->slot));
            fuzz::check(!r->target.host.empty(), "a redirect to no host", r->target.str());
            fuzz::check_open(r->target.port >= 1 && r->target.port <= 65535,
                             "a redirect port out of range", r->target.str());
        }
    } catch (const amr::Error&) {
    }
    fuzz::check(amr::redis::key_slot(text) < amr::redis::slot_count, "a key slot out of range");
    return 0;
}
