#include "probe/channel_rates.hpp"

#include <algorithm>

namespace amr::probe {

void ChannelRates::add(std::string_view channel, size_t payload_bytes) {
    Counts* counts = nullptr;
    if (auto it = counts_.find(channel); it != counts_.end()) {
        counts = &it->second;
    } else if (counts_.size() < max_channels) {
        counts = &counts_.emplace(std::string(channel), Counts{}).first->second;
    } else {
        counts = &other_;
        has_other_ = true;
    }
    ++counts->messages;
    counts->bytes += payload_bytes;
    ++counts->total;
}

std::vector<ChannelRow> ChannelRates::take(double seconds) {
    const double per = seconds > 0 ? 1 / seconds : 0;
    std::vector<ChannelRow> rows;
    rows.reserve(counts_.size() + 1);
    auto row = [&](const std::string& name, bool other, Counts& c) {
        rows.push_back({name, other, static_cast<double>(c.messages) * per,
                        static_cast<double>(c.bytes) * per, c.total});
        c.messages = 0;
        c.bytes = 0;
    };
    for (auto& [name, counts] : counts_) row(name, false, counts);
    if (has_other_) row(std::string(other_channels), true, other_);
    std::sort(rows.begin(), rows.end(), [](const ChannelRow& a, const ChannelRow& b) {
        if (a.rate != b.rate) return a.rate > b.rate;
        if (a.total != b.total) return a.total > b.total;
        return a.channel < b.channel;
    });
    return rows;
}

}  // namespace amr::probe
