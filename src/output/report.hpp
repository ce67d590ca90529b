// What publish and broadcast print: the lab's report on a terminal, bare counts in a
// pipe, or JSON.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace amr::output {

enum class OutputMode { automatic, report, count, json };

// Throws a usage Error naming the modes when `name` is not one.
OutputMode parse_output_mode(const std::string& name);
// `automatic` becomes report on a terminal, count elsewhere.
OutputMode resolve_output_mode(OutputMode mode, bool terminal);

using ChannelCount = std::pair<std::string, long long>;

std::string publish_output(OutputMode mode, const std::string& channel, long long receivers,
                           const std::string& message);
std::string broadcast_output(OutputMode mode, const std::vector<ChannelCount>& counts,
                             const std::string& message);

}  // namespace amr::output
