// What every stream of published messages shares (publish --lines, --file, --count):
// one connection opened for pipelining, a Pipeline, the progress line, waiting for input
// or for a planned time while taking replies and pinging, and the summary on stderr.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "publish/pipeline.hpp"
#include "publish/progress.hpp"
#include "publish/report.hpp"

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

    Pipeline& pipeline() { return *pipeline_; }
    Progress& progress() { return *progress_; }

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
    StreamOptions options_;
    // Pointers: a Session moves (std::optional) while the Pipeline's callbacks hold the
    // Progress.
    std::unique_ptr<Progress> progress_;
    std::unique_ptr<Pipeline> pipeline_;
    Clock::time_point ping_at_;
};

}  // namespace amr::publish
