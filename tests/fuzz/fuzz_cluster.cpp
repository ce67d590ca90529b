// What cluster nodes say (redis/cluster.hpp): CLUSTER NODES text, MOVED/ASK errors and key
// slots. A redirect names a slot in range and a port in range, or is a protocol error (a
// connection Error, exit 3) that says what was wrong; so is a node's port; no node has an
// empty host. CLUSTER SLOTS replies have their own harness (fuzz_cluster_slots).
#include "fuzz_common.hpp"
#include "redis/cluster.hpp"

namespace {

void check_protocol_error(const amr::Error& e, std::string_view what) {
    fuzz::check(e.kind() == amr::ErrorKind::connection, "not a protocol error", e.what());
    fuzz::check(fuzz::contains(e.what(), "protocol error from node.example:7000"),
                "a protocol error not naming the server", e.what());
    fuzz::check(fuzz::contains(e.what(), what), "a protocol error not naming what was wrong",
                e.what());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string seed = "seed.example";
    const std::string endpoint = "node.example:7000";
    try {
        for (const auto& node : amr::redis::parse_cluster_nodes(text, seed, endpoint)) {
            fuzz::check(!node.host.empty(), "a CLUSTER NODES node with no host", node.str());
            fuzz::check(node.port >= 1 && node.port <= 65535, "a CLUSTER NODES port out of range",
                        node.str());
        }
    } catch (const amr::Error& e) {
        check_protocol_error(e, "CLUSTER NODES line ");
    }
    const bool redirect = text.starts_with("MOVED ") || text.starts_with("ASK ");
    try {
        auto r = amr::redis::parse_redirect(text, seed, endpoint);
        fuzz::check(r.has_value() == redirect, "a MOVED/ASK not read, or another error read");
        if (r) {
            fuzz::check(r->slot < amr::redis::slot_count, "a redirect slot out of range",
                        std::to_string(r->slot));
            fuzz::check(!r->target.host.empty(), "a redirect to no host", r->target.str());
            fuzz::check(r->target.port >= 1 && r->target.port <= 65535,
                        "a redirect port out of range", r->target.str());
        }
    } catch (const amr::Error& e) {
        fuzz::check(redirect, "an error that is no redirect refused", e.what());
        check_protocol_error(e,
                             text.starts_with("ASK") ? "ASK redirect gave" : "MOVED redirect gave");
    }
    fuzz::check(amr::redis::key_slot(text) < amr::redis::slot_count, "a key slot out of range");
    return 0;
}
