// The shape of an amr bench run, decided before any connection: the channel names (with
// hash tags that spread them over a cluster's shards under --sharded), which channels each
// subscriber takes, how many messages each publisher sends (--messages) and how they fall
// on the channels (round robin: message j of a publisher goes to channel j mod K, as the
// j/K-th of that stream).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace amr::bench {

// "bench:0" .. "bench:K-1"; with `shards` > 1, channel i gets a hash tag whose slot
// `shard_of` maps to shard i mod shards: "bench:0{3}".
std::vector<std::string> channel_names(const std::string& prefix, uint32_t channels,
                                       size_t shards = 1,
                                       const std::function<size_t(uint16_t slot)>& shard_of = {});

// The channels of each subscriber: every one, or with `per_channel` > 0 each channel taken
// by that many subscribers in turn (channel c by subscribers c*per_channel ... mod S).
// A subscriber may get none (more subscribers than the channels need).
std::vector<std::vector<uint32_t>> assign_channels(uint32_t subscribers, uint32_t channels,
                                                   uint32_t per_channel);

// --messages N over P publishers: publisher p's share (the first N mod P send one more).
uint64_t share_of(uint64_t messages, uint32_t publishers, uint32_t publisher);
// Of a publisher's first `sent` messages, those on channel c of K.
uint64_t sent_on(uint64_t sent, uint32_t channel, uint32_t channels);

// The channel as a PSUBSCRIBE pattern matching only itself (*, ?, [, ] and \ escaped).
std::string literal_pattern(const std::string& channel);

}  // namespace amr::bench
