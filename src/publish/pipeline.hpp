// Publishing a stream of messages over one connection: PUBLISH commands formatted into one
// buffer, sent pipelined with a bounded number in flight, and their replies counted. After
// a lost connection it either says exactly how much the server confirmed or reconnects and
// sends again everything the server had not confirmed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "error.hpp"
#include "redis/backoff.hpp"
#include "redis/connection.hpp"

namespace amr::publish {

// RESP for PUBLISH (or SPUBLISH) up to the payload's length:
// "*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$".
std::string publish_prefix(std::string_view channel, std::string_view verb = "PUBLISH");
// Appends one whole PUBLISH command, given the channel's prefix, to `out`.
void append_publish(std::string& out, std::string_view prefix, std::string_view payload);

struct PipelineOptions {
    std::vector<std::string> channels;  // every message goes to each, in this order
    std::string verb = "PUBLISH";       // SPUBLISH for shard channels
    size_t window = 1000;               // PUBLISH commands sent and not yet answered, at most
    bool retry = false;                 // reconnect and resend instead of failing
    redis::BackoffPolicy backoff;
    std::optional<long long> min_receivers;  // per message, summed over its channels
    std::function<void()> before_log;        // clears a progress line before a log line
    std::function<uint64_t()> next_line;     // the first input line not yet added
};

struct PipelineStats {
    uint64_t confirmed = 0;  // messages the server answered for every channel
    long long receivers = 0;
    // Per channel, in the order of channels(): the fixed channels, then those given with
    // the messages (add_to) in the order they first came.
    std::vector<long long> channel_receivers;
    std::vector<uint64_t> channel_messages;  // confirmed on that channel
    uint64_t below_min = 0;                  // messages that reached fewer than min_receivers
    uint64_t first_below_min_line = 0;
    uint64_t resent = 0;  // PUBLISH commands sent again after reconnecting
    int reconnects = 0;
};

class Pipeline {
  public:
    Pipeline(redis::Connection connection, PipelineOptions options);

    // Queues the message of input line `line`: one PUBLISH per channel. Sends when a batch
    // is ready, waiting for replies while the window is full.
    void add(std::string_view payload, uint64_t line);
    // Queues one command of the message of input line `line` to a channel given with the
    // message: PUBLISH, or SPUBLISH when `sharded`. `last`: the message's last channel
    // (its receivers are summed, and it is confirmed, over the channels up to it).
    void add_to(std::string_view channel, bool sharded, std::string_view payload, uint64_t line,
                bool last = true);
    // Sends everything queued, waiting for replies only as the window requires.
    void send() { pump(false); }
    // Sends everything and waits for every reply. Throws the first error reply as an
    // Error naming its line.
    void finish();

    // While the input is quiet: reads the replies the socket has (one read, which must not
    // block: call it when poll() says the socket is readable or tls_pending()), so a
    // lost connection is noticed at once.
    void take_replies();
    // Sends a PING, which keeps a quiet connection open (AMR closes idle ones).
    void ping();
    // Signed in with Entra ID: when the token is due, fetches a fresh one and sends AUTH
    // in line with the PUBLISH commands (a refused AUTH ends the stream with exit 4).
    void reauthenticate_if_due();
    int fd() const { return connection_->fd(); }
    bool tls_pending() const { return connection_->tls_pending(); }

    // An error reply came back: add no more, finish() reports it.
    bool failed() const { return failure_.has_value(); }
    uint64_t added() const { return added_; }
    const PipelineStats& stats() const { return stats_; }
    // The channels of stats(): the fixed ones, then those given with messages, at most
    // max_tracked_channels; the messages to further channels count under other_channels.
    const std::vector<std::string>& channels() const { return channel_names_; }

    static constexpr size_t max_tracked_channels = 10000;
    static constexpr std::string_view other_channels = "(other channels)";

  private:
    struct Entry {
        uint64_t line;
        size_t end;        // offset in buffer_ just past this command
        uint32_t channel;  // index in channel_names_; ping_entry for a PING
        bool last;         // the message's last command
        bool sharded;      // SPUBLISH
    };
    static constexpr uint32_t ping_entry = UINT32_MAX;
    static constexpr uint32_t auth_entry = UINT32_MAX - 1;
    static bool is_message(const Entry& e) { return e.channel < auth_entry; }
    uint32_t channel_index(std::string_view channel);
    void queued();

    void pump(bool drain);
    size_t offset_of(size_t entry) const;  // where entry's command starts in buffer_
    bool window_open() const;
    void write_some();
    void receive();
    void drain_buffered();
    const Entry* first_unanswered_message() const;
    void on_reply(const redisReply* reply);
    void compact();
    void recover(const Error& lost);
    [[noreturn]] void fail_lost(ErrorKind kind);
    void log_prepare() const;

    std::optional<redis::Connection> connection_;
    PipelineOptions options_;
    std::vector<std::string> prefixes_;
    std::vector<std::string> channel_names_;
    struct NameHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    // Of the channels given with messages; looked up without making a string.
    std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> channel_ids_;
    std::string last_channel_;  // add_to's last, and its index
    uint32_t last_channel_id_ = UINT32_MAX;
    uint32_t other_id_ = UINT32_MAX;
    bool fixed_sharded_ = false;
    std::string endpoint_;        // the connection's, made once: each reply may name it
    std::string buffer_;          // commands not yet answered, sent ones first
    std::vector<Entry> entries_;  // one per command in buffer_
    size_t head_ = 0;             // first entry not answered
    size_t sent_ = 0;             // first entry not sent
    size_t batch_ = 1;
    uint64_t added_ = 0;
    long long line_receivers_ = 0;  // the current message's count over its channels
    bool line_failed_ = false;
    std::optional<Error> failure_;  // the first error reply, naming its line
    PipelineStats stats_;
};

}  // namespace amr::publish
