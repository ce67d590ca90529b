#include "publish/merged_stats.hpp"

#include <unordered_map>

#include "util/saturating.hpp"

namespace amr::publish {
namespace {

class Index {
  public:
    explicit Index(MergedStats& m) : m_(m) {}

    // Where `name`'s counts go.
    size_t of(const std::string& name) {
        if (auto it = index_.find(name); it != index_.end()) return it->second;
        if (name == Pipeline::other_channels) return add(name);
        if (named_ == Pipeline::max_tracked_channels)
            return of(std::string(Pipeline::other_channels));
        ++named_;
        return add(name);
    }

  private:
    size_t add(const std::string& name) {
        m_.channels.push_back(name);
        m_.stats.channel_receivers.push_back(0);
        m_.stats.channel_messages.push_back(0);
        index_.emplace(name, m_.channels.size() - 1);
        return m_.channels.size() - 1;
    }

    MergedStats& m_;
    std::unordered_map<std::string, size_t> index_;
    size_t named_ = 0;
};

}  // namespace

MergedStats merge_stats(const std::vector<MergedStats::Part>& parts) {
    MergedStats m;
    if (parts.size() == 1) return {*parts.front().channels, *parts.front().stats};
    Index index(m);
    PipelineStats& total = m.stats;
    for (const auto& part : parts) {
        const PipelineStats& s = *part.stats;
        for (size_t c = 0; c < part.channels->size(); ++c) {
            const size_t at = index.of((*part.channels)[c]);
            total.channel_receivers[at] =
                util::add_saturating(total.channel_receivers[at], s.channel_receivers[c]);
            total.channel_messages[at] += s.channel_messages[c];
        }
        total.confirmed += s.confirmed;
        total.receivers = util::add_saturating(total.receivers, s.receivers);
        if (s.below_min > 0 &&
            (total.below_min == 0 || s.first_below_min_line < total.first_below_min_line))
            total.first_below_min_line = s.first_below_min_line;
        total.below_min += s.below_min;
        total.resent += s.resent;
        total.reconnects += s.reconnects;
    }
    return m;
}

}  // namespace amr::publish
