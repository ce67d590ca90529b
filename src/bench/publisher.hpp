// The publishing side of amr bench. A PublishLink is one connection driven by a thread's
// poll loop (redis/pollable.hpp): PUBLISH (or SPUBLISH) commands made with the one RESP
// encoder (publish/pipeline.hpp), at most --window of them unanswered, written without
// blocking and their replies read with the push parser. A Publisher is one --publishers
// connection (in a cluster with --sharded, one link per shard it publishes to): it makes
// the messages due on its Pacer's schedule (publish/pacer.hpp, no drift), stamped with
// their planned send time, round robin over the channels.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/stamp.hpp"
#include "publish/pacer.hpp"
#include "redis/connection.hpp"
#include "redis/pollable.hpp"
#include "redis/push_reader.hpp"

namespace amr::bench {

using Clock = std::chrono::steady_clock;

// The run's clock: stamps hold nanoseconds since t0.
struct RunClock {
    Clock::time_point t0;
    Clock::time_point measure_start;               // the warm-up's end
    std::optional<Clock::time_point> measure_end;  // --duration
    uint64_t ns(Clock::time_point t) const {
        return t <= t0 ? 0 : static_cast<uint64_t>((t - t0).count());
    }
};

class PublishLink final : public redis::Pollable {
  public:
    PublishLink(redis::Connection connection, size_t window, std::string verb);

    int fd() const override { return connection_.fd(); }
    short events() const override;
    bool readable_without_poll() const override { return connection_.tls_pending(); }
    // Reads the replies: each integer answers one command; an error reply throws.
    void on_readable(Clock::time_point now) override;
    // A reply not in time (--connect-timeout after the last one) throws a connection Error.
    Clock::time_point next_timer() const override;
    void on_timer(Clock::time_point now) override;
    void on_writable() { connection_.write_some(); }

    size_t room() const;
    void queue(std::string_view prefix, std::string_view payload, bool warmup);
    // Hands what was queued to the socket (one write that does not wait).
    void flush();

    uint64_t in_flight() const { return sent_ - answered_; }
    uint64_t measured_answered() const { return answered_ > warm_ ? answered_ - warm_ : 0; }
    long long receivers() const { return receivers_; }
    Clock::time_point last_reply() const { return last_reply_; }
    std::string endpoint() const { return connection_.endpoint(); }

  private:
    redis::Connection connection_;
    redis::PushReader reader_;
    size_t window_;
    std::string verb_;
    std::string out_;
    uint64_t queued_ = 0;
    uint64_t sent_ = 0;
    uint64_t answered_ = 0;
    uint64_t warm_ = 0;  // warm-up commands, all before the measured ones
    long long receivers_ = 0;
    Clock::time_point last_reply_{};
};

class Publisher {
  public:
    struct Target {
        PublishLink* link;
        std::string prefix;  // the RESP of the command up to the payload
    };
    // `targets`: by channel index. `quota`: --messages' share; none with --duration.
    Publisher(uint32_t id, uint32_t run, size_t size, publish::Pacer pacer,
              std::optional<uint64_t> quota, std::vector<std::unique_ptr<PublishLink>> links,
              std::vector<Target> targets);

    void start(Clock::time_point at) { pacer_.start(at); }
    // Queues every message due at `now` that the windows have room for, then writes.
    void generate(Clock::time_point now, const RunClock& clock);
    // Sends no more (a signal, or the run was stopped).
    void stop_sending() { sending_ = false; }
    // When generate() has something to do next: the next planned time when paced and a
    // window has room (else the replies wake the loop).
    Clock::time_point wake_at() const;
    // Everything sent and answered.
    bool done() const;

    uint32_t id() const { return id_; }
    uint64_t measured_sent() const { return measured_; }
    uint64_t measured_answered() const;
    long long receivers() const;
    Clock::time_point last_reply() const;
    const std::vector<std::unique_ptr<PublishLink>>& links() const { return links_; }

  private:
    uint32_t id_;
    uint32_t channels_;
    publish::Pacer pacer_;
    std::optional<uint64_t> quota_;
    std::vector<std::unique_ptr<PublishLink>> links_;
    std::vector<Target> targets_;
    std::string payload_;
    Stamp stamp_;
    uint64_t index_ = 0;     // on the pacer's schedule, warm-up included
    uint64_t warm_ = 0;      // warm-up messages made
    uint64_t measured_ = 0;  // measured messages made
    bool sending_ = true;
    bool blocked_ = false;  // a full window stopped the last generate()
};

}  // namespace amr::bench
