// amr subscribe CHANNEL..., psubscribe PATTERN... and ssubscribe CHANNEL...: stream
// messages to stdout until a signal, --count or --timeout. The sockets are read on this
// thread as fast as the server sends; a writer thread formats and writes, with a bounded
// buffer between them.
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <limits>

#include "commands/command.hpp"
#include "commands/format_options.hpp"
#include "output/formatter.hpp"
#include "output/message_queue.hpp"
#include "output/stdout_sink.hpp"
#include "output/stream_writer.hpp"
#include "redis/subscriber.hpp"
#include "util/duration.hpp"
#include "util/size.hpp"
#include "util/whole_number.hpp"

namespace amr::commands {
namespace {

struct SubscribeOptions {
    redis::SubscriptionKind kind = redis::SubscriptionKind::channels;
    bool cluster = false;
    std::vector<std::string> names;
    FormatFlags format;
    std::optional<long long> count;
    std::optional<std::string> timeout;
    std::string buffer = "256MiB";
    bool no_reconnect = false;
    std::optional<int> reconnect_max;
    std::string ping_interval = "60s";
    bool interactive = false;
};

// Packs messages into chunks for the writer thread: one hand-over per chunk, not per
// message; a partial chunk goes whenever the socket has nothing more, so no message
// waits for the next one.
class QueueSink : public redis::MessageSink {
  public:
    QueueSink(output::MessageQueue& queue, std::optional<long long> count)
        : queue_(queue), count_(count) {
        start_chunk();
    }

    bool on_message(const redis::PubSubEvent& e) override {
        output::append_record(chunk_, {.is_pattern = e.kind == redis::PubSubEvent::Kind::pmessage,
                                       .pattern = e.pattern,
                                       .channel = e.channel,
                                       .payload = e.payload,
                                       .received_at = batch_time(),
                                       .is_sharded = e.kind == redis::PubSubEvent::Kind::smessage});
        ++received_;
        if (count_ && received_ >= *count_) return false;
        if (chunk_.bytes.size() >= chunk_size) flush();
        return true;
    }

    void on_idle() override {
        flush();
        stale_ = true;
    }

    void flush() {
        if (chunk_.records == 0) return;
        queue_.push(std::move(chunk_));
        start_chunk();
    }

    long long received() const { return received_; }

  private:
    void start_chunk() {
        chunk_ = queue_.take_spare();
        chunk_.bytes.reserve(chunk_size + chunk_slack);
    }

    // Messages that came in one read share its receive time: one clock reading a batch,
    // not a message, on the path that must keep up with the server.
    util::SystemTime batch_time() {
        if (stale_) {
            now_ = std::chrono::system_clock::now();
            stale_ = false;
        }
        return now_;
    }

    static constexpr size_t chunk_size = 64 * 1024;
    static constexpr size_t chunk_slack = 16 * 1024;  // the record that crosses chunk_size
    output::MessageQueue& queue_;
    std::optional<long long> count_;
    output::Chunk chunk_;
    long long received_ = 0;
    util::SystemTime now_;
    bool stale_ = true;
};

int run_subscribe(const SubscribeOptions& o, const GlobalOptions& globals) {
    redis::Deadline deadline;
    if (o.timeout) {
        deadline = std::chrono::steady_clock::now() + util::parse_duration(*o.timeout, "--timeout");
    }
    if (o.count && *o.count <= 0) throw usage_error("--count must be at least 1");
    if (o.reconnect_max && *o.reconnect_max <= 0) {
        throw usage_error("--reconnect-max must be at least 1");
    }
    redis::SubscriberOptions options;
    options.kind = o.kind;
    options.cluster = o.cluster ? redis::ClusterMode::force : redis::ClusterMode::detect;
    if (o.interactive) {
        options.control_fd = STDIN_FILENO;
        spdlog::info("[i] {}", redis::control_help);
    }
    options.names = o.names;
    options.reconnect = !o.no_reconnect;
    options.backoff.max_attempts = o.reconnect_max;
    options.ping_interval = util::parse_duration(o.ping_interval, "--ping-interval");
    output::MessageQueue queue(util::parse_size(o.buffer, "--buffer"));
    auto formatter = stdout_formatter(o.format);
    auto settings = config::load_settings(globals.connection);

    output::StreamWriter writer(queue, *formatter);
    writer.start();
    QueueSink sink(queue, o.count);
    redis::StopReason why = redis::StopReason::signal;
    try {
        redis::Subscriber subscriber(settings, options);
        why = subscriber.run(deadline, sink);
        sink.flush();
    } catch (...) {
        queue.close();
        writer.finish(std::chrono::seconds(2));
        throw;
    }
    queue.close();
    // After a signal, stdout gets a moment to take what is buffered; otherwise it gets all.
    if (!writer.finish(why == redis::StopReason::signal
                           ? std::optional(std::chrono::milliseconds(2000))
                           : std::nullopt)) {
        spdlog::warn("stopped with messages still buffered: stdout is not being read");
        return 0;
    }
    writer.rethrow_failure();
    if (writer.consumer_gone()) return 0;
    if (why == redis::StopReason::deadline && o.count) {
        spdlog::error("--timeout {} ended after {} of {} message(s)", *o.timeout, sink.received(),
                      *o.count);
        return static_cast<int>(ExitCode::timeout);
    }
    spdlog::debug("{} message(s) written", writer.written());
    return 0;
}

struct Flavour {
    const char* name;
    const char* description;
    const char* positional;
    const char* positional_help;
    const char* examples;
};

Flavour flavour_of(redis::SubscriptionKind kind) {
    switch (kind) {
        case redis::SubscriptionKind::patterns:
            return {"psubscribe", "Stream messages of channels matching patterns to stdout",
                    "PATTERN", "Glob-style patterns, e.g. 'orders:*'",
                    "Examples:\n"
                    "  amr psubscribe 'orders:*'\n"
                    "  amr psubscribe -j '*' | jq -r .channel"};
        case redis::SubscriptionKind::shard_channels:
            return {"ssubscribe",
                    "Stream messages of shard channels (SPUBLISH) to stdout, from every shard",
                    "CHANNEL", "Shard channels",
                    "Examples:\n"
                    "  amr ssubscribe orders:{eu} orders:{us}\n"
                    "  amr ssubscribe -j --count 1 --timeout 10s orders:{eu}"};
        case redis::SubscriptionKind::channels:
            break;
    }
    return {"subscribe", "Stream messages of channels to stdout", "CHANNEL", "Channels",
            "Examples:\n"
            "  amr subscribe orders:created\n"
            "  amr subscribe -j orders:created | jq -r .data.order_id\n"
            "  amr subscribe --count 1 --timeout 10s orders:created"};
}

CommandSpec make_spec(redis::SubscriptionKind kind) {
    const Flavour f = flavour_of(kind);
    return {f.name, f.description,
            [kind, f](CLI::App& sub, const GlobalOptions& globals) -> Action {
                auto o = std::make_shared<SubscribeOptions>();
                o->kind = kind;
                sub.add_option(f.positional == std::string("PATTERN") ? "pattern" : "channel",
                               o->names, f.positional_help)
                    ->required()
                    ->type_name(f.positional);
                add_format_options(sub, o->format);
                sub.add_option("--count", o->count, "Exit 0 after N messages")
                    ->check(util::whole_number(1, std::numeric_limits<long long>::max()))
                    ->type_name("N");
                sub.add_option("--timeout", o->timeout,
                               "Stop after DURATION (10, 10s, 500ms, 2m); exit 124 if --count "
                               "messages have not arrived by then")
                    ->type_name("DURATION");
                sub.add_option("--buffer", o->buffer,
                               "Memory for messages stdout has not taken yet (default 256MiB); "
                               "when full the oldest are dropped and counted on stderr")
                    ->type_name("SIZE");
                sub.add_flag("--no-reconnect", o->no_reconnect,
                             "Exit 3 when the connection is lost instead of reconnecting");
                sub.add_option("--reconnect-max", o->reconnect_max,
                               "Give up (exit 3) after N failed reconnect attempts (a "
                               "connection that fails again within 10 s counts as failed)")
                    ->check(util::whole_number(1, std::numeric_limits<int>::max()))
                    ->type_name("N");
                sub.add_option("--ping-interval", o->ping_interval,
                               "PING after this much silence to detect dead connections "
                               "(default 60s)")
                    ->type_name("DURATION");
                if (kind != redis::SubscriptionKind::shard_channels) {
                    sub.add_flag("--interactive", o->interactive,
                                 "Read commands on stdin that change the subscriptions while "
                                 "messages stream: subscribe, psubscribe, unsubscribe, "
                                 "punsubscribe, unsubscribe-all, list, help (lines of at "
                                 "most 64 KiB)");
                }
                if (kind == redis::SubscriptionKind::shard_channels) {
                    sub.add_flag("--cluster", o->cluster,
                                 "Require a Redis Cluster (default: detected from the server)");
                }
                sub.footer(f.examples);
                return [o, &globals] { return run_subscribe(*o, globals); };
            }};
}

}  // namespace

CommandSpec subscribe_command() {
    return make_spec(redis::SubscriptionKind::channels);
}
CommandSpec psubscribe_command() {
    return make_spec(redis::SubscriptionKind::patterns);
}
CommandSpec ssubscribe_command() {
    return make_spec(redis::SubscriptionKind::shard_channels);
}

}  // namespace amr::commands
