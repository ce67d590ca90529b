// Where subscribe, psubscribe and ssubscribe put the messages they read: --exclude drops
// some first, --count counts the rest, --idle-timeout watches for them, and the rest go
// into the buffer for the stdout writer (or the --exec commands) in chunks.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "output/message_queue.hpp"
#include "redis/subscriber.hpp"

namespace amr::commands {

struct SinkRules {
    std::optional<long long> count;                 // stop after that many
    std::vector<std::string> excludes;              // channel patterns to drop
    std::optional<std::chrono::milliseconds> idle;  // --idle-timeout
};

// Packs messages into chunks for the writer thread: one hand-over per chunk, not per
// message; a partial chunk goes whenever the socket has nothing more, so no message
// waits for the next one. An excluded message is dropped before anything else sees it:
// it is not counted, formatted or run, and does not reset the idle timer.
class QueueSink : public redis::MessageSink {
  public:
    QueueSink(output::MessageQueue& queue, SinkRules rules);

    bool on_message(const redis::PubSubEvent& e) override;
    void on_idle() override;
    redis::Deadline idle_deadline() const override;

    void flush();
    long long received() const { return received_; }
    long long excluded() const { return excluded_; }

  private:
    void start_chunk();
    util::SystemTime batch_time();
    bool is_excluded(std::string_view channel) const;

    static constexpr size_t chunk_size = 64 * 1024;
    static constexpr size_t chunk_slack = 16 * 1024;  // the record that crosses chunk_size
    output::MessageQueue& queue_;
    const SinkRules rules_;
    output::Chunk chunk_;
    long long received_ = 0;
    long long excluded_ = 0;
    util::SystemTime now_;
    bool stale_ = true;
    // --idle-timeout: the last batch that held a message (or the start), read once per
    // batch as the receive time is.
    redis::Clock::time_point last_active_{};
    bool active_ = true;
};

}  // namespace amr::commands
