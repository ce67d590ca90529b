// What every stream of published messages shares (publish --lines, --file, --count,
// --envelope): one connection opened for pipelining, a Pipeline, the progress line,
// waiting for input or for a planned time while taking replies and pinging, and the
// summary on stderr. In a Redis Cluster, messages to shard channels given with each
// message (--envelope's smessage lines) go to the primary of the channel's slot: one more
// connection and Pipeline per primary, opened at its first message.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"
#include "publish/pipeline.hpp"
#include "publish/progress.hpp"
#include "publish/report.hpp"
#include "redis/cluster.hpp"

namespace amr::publish {

struct StreamOptions {
    std::vector<std::string> channels;
    bool sharded = false;  // SPUBLISH
    bool raw = false;
    bool skip_invalid = false;
    size_t window = 1000;
    bool retry = false;
    std::optional<int> reconnect_max;
    std::optional<long long> min_receivers;
    bool per_message = false;  // channels given with each message (Pipeline::add_to)
};

struct StreamResult {
    StreamTotals totals;
    bool interrupted = false;  // SIGINT/SIGTERM stopped the sending
    uint64_t below_min = 0;    // messages that reached fewer than min_receivers
    uint64_t first_below_min_line = 0;
    const char* unit = "line";  // what first_below_min_line counts: "line" or "message"
};

class Session {
  public:
    using Clock = std::chrono::steady_clock;

    // Connects. Nothing when SIGINT/SIGTERM came while connecting (nothing was sent; the
    // warning is logged). `next_line`: the number of the first message not yet added.
    static std::optional<Session> open(const config::Settings& settings, const StreamOptions& o,
                                       std::function<uint64_t()> next_line);

    // The first connection's Pipeline: every message with the stream's fixed channels.
    Pipeline& pipeline() { return *pipelines_.front(); }
    // The Pipeline for a message to `channel`: SPUBLISH (`sharded`) in a cluster goes to
    // the primary serving the channel's slot, everything else to the first connection.
    // The first shard channel asks the cluster for its topology (a plain server, or one
    // where CLUSTER is blocked, keeps the one connection). Throws Interrupted when a
    // signal comes while connecting, and connection Errors.
    Pipeline& pipeline_for(std::string_view channel, bool sharded);
    Progress& progress() { return *progress_; }

    // Over every Pipeline: messages added and confirmed, whether an error reply came.
    uint64_t added() const;
    uint64_t confirmed() const;
    bool failed() const;
    void send();
    void reauthenticate_if_due();
    // Waits for every reply of every Pipeline; throws the first error (in the order the
    // connections were opened) after all have finished, so the summary counts them all.
    void finish();

    // Waits until `input_fd` is readable (or has ended), until `until`, or forever when
    // neither is given, taking replies meanwhile (a lost connection is noticed at once)
    // and sending a PING now and then. False when a signal came.
    bool wait(std::optional<int> input_fd, std::optional<Clock::time_point> until);

    // Logs the summary line on stderr (on every way out, errors too) and returns the
    // totals and counts for the command's output.
    StreamResult summarise(uint64_t skipped, bool interrupted);

    // A result for a stream stopped before it connected.
    static StreamResult nothing_sent(const StreamOptions& o);

  private:
    Session() = default;
    Pipeline& open_shard(const redis::NodeAddress& primary);
    PipelineOptions pipeline_options() const;

    config::Settings settings_;
    StreamOptions options_;
    std::function<uint64_t()> next_line_;
    // Pointers: a Session moves (std::optional) while the Pipeline's callbacks hold the
    // Progress.
    std::unique_ptr<Progress> progress_;
    // The first connection's, then one per primary that shard channels went to (nodes_).
    std::vector<std::unique_ptr<Pipeline>> pipelines_;
    std::vector<redis::NodeAddress> nodes_;  // of pipelines_[1...]
    enum class Shards { unknown, single, cluster } shards_ = Shards::unknown;
    std::optional<redis::Topology> topology_;
    Clock::time_point ping_at_;
};

}  // namespace amr::publish
