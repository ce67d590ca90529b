// amr bench: pub/sub throughput and end-to-end latency, like nats bench. Publishers and
// subscribers on as many connections as asked, spread over threads that each run one poll
// loop (bench/engine.hpp); every message carries its publisher, sequence number and send
// time (bench/stamp.hpp), so each subscriber counts losses, duplicates and reorders and
// records the latency of every delivery.
#include <spdlog/spdlog.h>

#include <thread>

#include "bench/engine.hpp"
#include "bench/stamp.hpp"
#include "commands/command.hpp"
#include "error.hpp"
#include "output/stdout_sink.hpp"
#include "util/duration.hpp"
#include "util/size.hpp"
#include "util/whole_number.hpp"

namespace amr::commands {
namespace {

struct BenchFlags {
    uint32_t publishers = 1;
    uint32_t subscribers = 1;
    uint32_t channels = 1;
    std::optional<uint32_t> per_channel;
    std::string size = "128";
    std::optional<double> rate;
    size_t window = 1000;
    std::optional<std::string> duration;
    std::optional<uint64_t> messages;
    std::optional<std::string> warmup;
    bool pattern = false;
    bool sharded = false;
    std::optional<uint32_t> threads;
    std::string prefix = "bench";
    std::optional<std::string> csv;
    std::optional<uint64_t> max_loss;
    std::string output = "text";
};

double seconds_of(const std::string& text, const char* option) {
    return std::chrono::duration<double>(util::parse_duration(text, option)).count();
}

bench::EngineOptions engine_options(const BenchFlags& f) {
    bench::EngineOptions o;
    bench::RunShape& s = o.shape;
    s.publishers = f.publishers;
    s.subscribers = f.subscribers;
    s.channels = f.channels;
    s.subscribers_per_channel = f.per_channel.value_or(0);
    if (f.per_channel && *f.per_channel > f.subscribers) {
        throw usage_error("--subscribers-per-channel " + std::to_string(*f.per_channel) +
                          " is more than --subscribers " + std::to_string(f.subscribers));
    }
    s.size = util::parse_size(f.size, "--size");
    if (s.size < bench::stamp_size || s.size > 512 * 1024 * 1024) {
        throw usage_error("--size must be from " + std::to_string(bench::stamp_size) +
                              " bytes (each message's stamp) to 512MiB",
                          "the stamp holds the run, publisher, channel, sequence and send time");
    }
    s.rate = f.rate.value_or(0);
    s.window = f.window;
    if (f.messages) {
        s.messages = *f.messages;
    } else {
        s.duration_s = f.duration ? seconds_of(*f.duration, "--duration") : 10.0;
    }
    if (f.warmup) s.warmup_s = seconds_of(*f.warmup, "--warmup");
    // A stamp's send time has 48 bits of nanoseconds (78 hours).
    if (s.duration_s + s.warmup_s > 72 * 3600) {
        throw usage_error("--duration and --warmup together may not pass 72 hours");
    }
    s.pattern = f.pattern;
    s.sharded = f.sharded;
    if (f.pattern && f.sharded) {
        throw usage_error("--pattern and --sharded cannot be combined",
                          "Redis has no pattern subscription for shard channels");
    }
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    s.threads = f.threads.value_or(cpus);
    if (f.prefix.empty()) throw usage_error("--prefix cannot be empty");
    s.prefix = f.prefix;
    o.csv = f.csv;
    o.progress = spdlog::default_logger()->should_log(spdlog::level::info);
    return o;
}

void say_report(const std::string& text) {
    size_t at = 0;
    while (at < text.size()) {
        size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        spdlog::info("{}", text.substr(at, end - at));
        at = end + 1;
    }
}

int run_bench(const BenchFlags& f, const GlobalOptions& globals) {
    const bench::EngineOptions options = engine_options(f);
    const auto settings = config::load_settings(globals.connection);
    const bench::Report report = bench::run_bench(settings, options);
    if (f.output == "json") {
        output::write_stdout(bench::report_json(report));
    } else {
        say_report(bench::report_text(report));
    }
    if (f.max_loss && report.totals.lost > *f.max_loss) {
        spdlog::error("{} messages lost, more than --max-loss {}", report.totals.lost, *f.max_loss);
        return static_cast<int>(ExitCode::too_few_receivers);
    }
    return 0;
}

}  // namespace

CommandSpec bench_command() {
    return {
        "bench", "Measure pub/sub throughput and end-to-end latency (like nats bench)",
        [](CLI::App& sub, const GlobalOptions& globals) -> Action {
            auto f = std::make_shared<BenchFlags>();
            sub.add_option("--publishers", f->publishers, "Publishing connections (default 1)")
                ->transform(util::whole_number(1, bench::max_publishers - 1))
                ->type_name("P");
            sub.add_option("--subscribers", f->subscribers,
                           "Subscribing connections (default 1; 0: publish only)")
                ->transform(util::whole_number(0, 100000))
                ->type_name("S");
            sub.add_option("--channels", f->channels,
                           "Channels PREFIX:0 to PREFIX:K-1, published to in turn (default 1)")
                ->transform(util::whole_number(1, bench::max_channels - 1))
                ->type_name("K");
            sub.add_option("--subscribers-per-channel", f->per_channel,
                           "Subscribers on each channel (default: every subscriber on every "
                           "channel)")
                ->transform(util::whole_number(1, 100000))
                ->type_name("M");
            sub.add_option("--size", f->size, "Payload size (default 128; at least 45, the stamp)")
                ->type_name("BYTES");
            sub.add_option("--rate", f->rate,
                           "Messages per second in total, on a schedule that does not drift; "
                           "latency counts from each message's planned time (default: as fast "
                           "as the window allows)")
                ->check(util::positive_number(1e8,
                                              "a number of messages per second above 0 and at "
                                              "most 100000000 (10000, 2.5)",
                                              "RATE"))
                ->type_name("R");
            sub.add_option("--window", f->window,
                           "PUBLISH commands in flight per connection, at most (default 1000)")
                ->transform(util::whole_number(1, 1000000))
                ->type_name("N");
            auto* duration = sub.add_option("--duration", f->duration,
                                            "Publish for DURATION after the warm-up (default 10s)")
                                 ->type_name("DURATION");
            sub.add_option("--messages", f->messages,
                           "Publish N messages in total, over all publishers, then stop")
                ->transform(util::whole_number(1, 1LL << 40))
                ->type_name("N")
                ->excludes(duration);
            sub.add_option("--warmup", f->warmup,
                           "Publish DURATION first without counting it (default none)")
                ->type_name("DURATION");
            sub.add_flag("--pattern", f->pattern,
                         "Subscribe with PSUBSCRIBE (one pattern a channel)");
            sub.add_flag("--sharded", f->sharded,
                         "SPUBLISH and SSUBSCRIBE; in a cluster the channels get hash tags that "
                         "spread them over every shard");
            sub.add_option("--threads", f->threads,
                           "Threads, each one event loop (default: the CPUs)")
                ->transform(util::whole_number(1, 1024))
                ->type_name("T");
            sub.add_option("--prefix", f->prefix, "Channel name prefix (default bench)")
                ->type_name("PREFIX");
            sub.add_option("--csv", f->csv, "Write one CSV row per second to FILE")
                ->type_name("FILE");
            sub.add_option("--max-loss", f->max_loss,
                           "Exit 5 when more than N messages were lost (for CI)")
                ->transform(util::whole_number(0, 1LL << 62))
                ->type_name("N");
            sub.add_option("-o,--output", f->output,
                           "text (the report on stderr) or json (one object on stdout)")
                ->check(CLI::IsMember({"text", "json"}))
                ->type_name("MODE");
            sub.footer(
                "Each message carries its publisher, sequence number and send time; every "
                "subscriber counts receipts, losses, duplicates and reorders and records the "
                "end-to-end latency (p50 to p99.99, max).\n\n"
                "Exit status: 0 ran, 2 bad usage, 3 cannot connect, 4 authentication failed, 5 "
                "more lost than --max-loss.\n\n"
                "Examples:\n"
                "  amr bench --duration 10s\n"
                "  amr bench --publishers 4 --subscribers 0 --size 128\n"
                "  amr bench --rate 10000 --duration 30s -o json\n"
                "  amr -H node1 -p 7000 bench --sharded --channels 12 --max-loss 0");
            return [f, &globals] { return run_bench(*f, globals); };
        }};
}

}  // namespace amr::commands
