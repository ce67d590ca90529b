// What each amr bench message carries: the run it belongs to, whether it is sent in the
// warm-up, its publisher and channel, its sequence number and its send time (the planned
// one under --rate), as fixed-width lowercase hex after "amrb", padded with '.' to --size:
//
//   amrb 1f2e3d4c m 0000 0003 00000000002a 0000004c4b40 ........
//   ^4   ^run 8   ^1 ^pub 4 ^chan 4 ^seq 12  ^time 12 (ns since the run started)
//
// (without the spaces). Text, so other tools watching bench:0 show something readable.
// Anyone can publish on a bench channel: decode_stamp() takes any bytes and either
// returns a stamp or says why not; it never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace amr::bench {

struct Stamp {
    uint32_t run = 0;
    bool warmup = false;
    uint32_t publisher = 0;  // < 2^16
    uint32_t channel = 0;    // < 2^16
    uint64_t sequence = 0;   // < 2^48
    uint64_t sent_ns = 0;    // < 2^48: since the run's start (about 78 hours)
    bool operator==(const Stamp&) const = default;
};

inline constexpr size_t stamp_size = 4 + 8 + 1 + 4 + 4 + 12 + 12;  // 45
inline constexpr uint32_t max_publishers = 1u << 16;
inline constexpr uint32_t max_channels = 1u << 16;
inline constexpr uint64_t max_sequence = uint64_t{1} << 48;

// Writes the stamp over the first stamp_size bytes of `payload` (which is at least that
// long; the padding after it is left as it is). Fields past their width are cut to it.
void write_stamp(char* payload, const Stamp& stamp);
// A payload of `size` bytes (>= stamp_size): the stamp, then '.' padding.
std::string make_payload(const Stamp& stamp, size_t size);

enum class StampProblem { none, too_short, not_a_stamp, bad_digit, bad_flag };
const char* describe(StampProblem problem);

struct Decoded {
    std::optional<Stamp> stamp;
    StampProblem problem = StampProblem::none;
};
// Reads the stamp at the start of `payload`; the bytes after it are not looked at.
Decoded decode_stamp(std::string_view payload);

}  // namespace amr::bench
