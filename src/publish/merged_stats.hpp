// The counts of several Pipelines (one per shard of a cluster) as one, for the summary.
#pragma once

#include <string>
#include <vector>

#include "publish/pipeline.hpp"

namespace amr::publish {

struct MergedStats {
    struct Part {
        const std::vector<std::string>* channels;  // a Pipeline's channels()
        const PipelineStats* stats;                // and its stats()
    };
    std::vector<std::string> channels;
    PipelineStats stats;
};

// Channels by name in the order they first came (the first part's first), their messages
// and receivers summed; at most Pipeline::max_tracked_channels named, the rest under
// Pipeline::other_channels, as one Pipeline counts them. first_below_min_line is the
// lowest of the parts'.
MergedStats merge_stats(const std::vector<MergedStats::Part>& parts);

}  // namespace amr::publish
