#include "bench/plan.hpp"

#include "redis/cluster.hpp"

namespace amr::bench {

std::vector<std::string> channel_names(const std::string& prefix, uint32_t channels, size_t shards,
                                       const std::function<size_t(uint16_t slot)>& shard_of) {
    std::vector<std::string> names;
    names.reserve(channels);
    for (uint32_t i = 0; i < channels; ++i) {
        std::string name = prefix + ":" + std::to_string(i);
        if (shards > 1 && shard_of) {
            // The slots of a few hundred tags cover every shard of any real cluster; the
            // first tag whose slot is the wanted shard's is kept.
            const size_t want = i % shards;
            for (uint32_t tag = 0; tag < 100000; ++tag) {
                const std::string t = std::to_string(tag);
                if (shard_of(redis::key_slot("{" + t + "}")) == want) {
                    name += "{" + t + "}";
                    break;
                }
            }
        }
        names.push_back(std::move(name));
    }
    return names;
}

std::vector<std::vector<uint32_t>> assign_channels(uint32_t subscribers, uint32_t channels,
                                                   uint32_t per_channel) {
    std::vector<std::vector<uint32_t>> out(subscribers);
    if (subscribers == 0) return out;
    if (per_channel == 0) {
        for (auto& list : out) {
            for (uint32_t c = 0; c < channels; ++c) list.push_back(c);
        }
        return out;
    }
    uint64_t next = 0;
    for (uint32_t c = 0; c < channels; ++c) {
        for (uint32_t k = 0; k < per_channel; ++k) out[(next++) % subscribers].push_back(c);
    }
    return out;
}

uint64_t share_of(uint64_t messages, uint32_t publishers, uint32_t publisher) {
    return messages / publishers + (publisher < messages % publishers ? 1 : 0);
}

uint64_t sent_on(uint64_t sent, uint32_t channel, uint32_t channels) {
    return sent / channels + (channel < sent % channels ? 1 : 0);
}

std::string literal_pattern(const std::string& channel) {
    std::string out;
    for (char c : channel) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace amr::bench
