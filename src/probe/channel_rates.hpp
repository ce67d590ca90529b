// amr top's counts: messages and bytes per channel, per interval and in total. Memory is
// bounded: at most max_channels channels are tracked by name, the messages of further
// channels are counted together under other_channels (as publish's report does).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace amr::probe {

struct ChannelRow {
    std::string channel;
    bool other = false;     // the row of other_channels
    double rate = 0;        // messages per second in the interval
    double bytes_rate = 0;  // payload bytes per second in the interval
    uint64_t total = 0;     // messages since the start
};

class ChannelRates {
  public:
    static constexpr size_t max_channels = 10000;
    static constexpr std::string_view other_channels = "(other channels)";

    void add(std::string_view channel, size_t payload_bytes);
    // Ends an interval of `seconds`: every channel seen so far, by rate (highest first),
    // then total, then name; the interval's counts start again from zero.
    std::vector<ChannelRow> take(double seconds);
    size_t tracked() const { return counts_.size(); }

  private:
    struct Counts {
        uint64_t messages = 0;  // in the interval
        uint64_t bytes = 0;
        uint64_t total = 0;
    };
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, Counts, Hash, std::equal_to<>> counts_;
    Counts other_;
    bool has_other_ = false;
};

}  // namespace amr::probe
