// amr subscribe CHANNEL..., psubscribe PATTERN... and ssubscribe CHANNEL...: stream
// messages to stdout (or to a command each, --exec) until a signal, --count, --timeout
// or --idle-timeout. The sockets are read on this thread as fast as the server sends; a
// writer thread formats and writes (or runs the commands), with a bounded buffer between.
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <limits>

#include "commands/command.hpp"
#include "commands/subscribe_sink.hpp"
#include "exec/exec_stream.hpp"
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
    std::optional<std::string> format;  // pretty when not given
    std::optional<std::string> template_text;
    bool json = false;
    std::optional<long long> count;
    std::optional<std::string> timeout;
    std::optional<std::string> idle_timeout;
    std::vector<std::string> excludes;
    std::optional<std::string> exec;
    std::optional<size_t> jobs;
    bool exec_fail_fast = false;
    std::string buffer = "256MiB";
    bool no_reconnect = false;
    std::optional<int> reconnect_max;
    std::string ping_interval = "60s";
    bool interactive = false;
};

// After a signal or a failed command (--exec-fail-fast), how long running commands get.
constexpr std::chrono::seconds exec_patience{10};

// --exec replaces the output formats; --jobs and --exec-fail-fast need it.
void check_exec_options(const SubscribeOptions& o) {
    if (!o.exec) {
        if (o.jobs) throw usage_error("--jobs needs --exec");
        if (o.exec_fail_fast) throw usage_error("--exec-fail-fast needs --exec");
        return;
    }
    const char* format = o.template_text ? "--template"
                         : o.json        ? "-j/--json"
                         : o.format      ? "--format"
                                         : nullptr;
    if (format) {
        throw usage_error(std::string("--exec cannot be combined with ") + format,
                          "CMD gets the payload as it is on its stdin and the rest in AMR_CHANNEL, "
                          "AMR_PATTERN, AMR_TYPE and AMR_RECEIVED_AT");
    }
    if (o.exec->empty()) throw usage_error("--exec needs a command");
}

// --template implies --format template and goes with no other format.
output::Format select_format(const SubscribeOptions& o) {
    if (o.template_text) {
        if (o.json) throw usage_error("--template cannot be combined with -j/--json");
        if (o.format && *o.format != "template") {
            throw usage_error("--template cannot be combined with --format " + *o.format);
        }
        return output::Format::template_;
    }
    if (o.json) return output::Format::json;
    const output::Format format = output::parse_format(o.format.value_or("pretty"));
    if (format == output::Format::template_) {
        throw usage_error("--format template needs --template TEMPLATE",
                          "e.g. --template '{channel}\\t{payload}\\n'");
    }
    return format;
}

// The stderr line and exit status of a subscription that ended by a timeout.
int timed_out(const SubscribeOptions& o, redis::StopReason why, long long received) {
    const bool idle = why == redis::StopReason::idle;
    if (!o.count) {
        if (idle) spdlog::info("no message for {} (--idle-timeout): done", *o.idle_timeout);
        return 0;
    }
    if (idle) {
        spdlog::error("--idle-timeout {}: no message for {}; ended after {} of {} message(s)",
                      *o.idle_timeout, *o.idle_timeout, received, *o.count);
    } else {
        spdlog::error("--timeout {} ended after {} of {} message(s)", *o.timeout, received,
                      *o.count);
    }
    return static_cast<int>(ExitCode::timeout);
}

bool is_timeout(redis::StopReason why) {
    return why == redis::StopReason::deadline || why == redis::StopReason::idle;
}

// Reads until the subscription ends and closes the queue, whatever happens.
redis::StopReason receive(const config::Settings& settings, const redis::SubscriberOptions& options,
                          redis::Deadline deadline, QueueSink& sink, output::MessageQueue& queue) {
    struct Closer {
        output::MessageQueue& queue;
        ~Closer() { queue.close(); }
    } closer{queue};
    redis::Subscriber subscriber(settings, options);
    const redis::StopReason why = subscriber.run(deadline, sink);
    sink.flush();
    return why;
}

int stream_to_stdout(const SubscribeOptions& o, output::Formatter& formatter,
                     const config::Settings& settings, const redis::SubscriberOptions& options,
                     redis::Deadline deadline, QueueSink& sink, output::MessageQueue& queue) {
    output::StreamWriter writer(queue, formatter);
    writer.start();
    redis::StopReason why = redis::StopReason::signal;
    try {
        why = receive(settings, options, deadline, sink, queue);
    } catch (...) {
        writer.finish(std::chrono::seconds(2));
        throw;
    }
    // After a signal, stdout gets a moment to take what is buffered; otherwise it gets all.
    if (!writer.finish(why == redis::StopReason::signal
                           ? std::optional(std::chrono::milliseconds(2000))
                           : std::nullopt)) {
        spdlog::warn("stopped with messages still buffered: stdout is not being read");
        return 0;
    }
    writer.rethrow_failure();
    if (writer.consumer_gone()) return 0;
    if (is_timeout(why)) return timed_out(o, why, sink.received());
    spdlog::debug("{} message(s) written", writer.written());
    return 0;
}

// After a signal or a failed command: the running commands get exec_patience.
void finish_commands(exec::ExecStream& commands, bool stopping) {
    if (stopping) {
        spdlog::info("stopping: waiting up to {}s for the running command(s)",
                     exec_patience.count());
    }
    if (!commands.finish(stopping ? std::optional<std::chrono::milliseconds>(exec_patience)
                                  : std::nullopt)) {
        spdlog::warn(
            "gave up after {}s: killed the command(s) still running and dropped output stdout "
            "did not take",
            exec_patience.count());
    }
    if (commands.not_run() > 0) {
        spdlog::warn("{} message(s) received were not given to the command (stopped)",
                     commands.not_run());
    }
}

int stream_to_commands(const SubscribeOptions& o, const config::Settings& settings,
                       const redis::SubscriberOptions& options, redis::Deadline deadline,
                       QueueSink& sink, output::MessageQueue& queue) {
    exec::ExecOptions exec_options;
    exec_options.command = *o.exec;
    exec_options.jobs = o.jobs.value_or(1);
    exec_options.fail_fast = o.exec_fail_fast;
    exec::ExecStream commands(queue, exec_options);
    commands.start();
    redis::StopReason why = redis::StopReason::signal;
    try {
        why = receive(settings, options, deadline, sink, queue);
    } catch (...) {
        finish_commands(commands, true);
        throw;
    }
    finish_commands(commands, why == redis::StopReason::signal);
    commands.rethrow_failure();
    if (commands.failed_fast()) {
        spdlog::error("--exec-fail-fast: stopped after the first failed command");
        return static_cast<int>(ExitCode::failure);
    }
    if (commands.failed() > 0) {
        spdlog::warn("--exec: {} of {} message(s) failed", commands.failed(), commands.given());
    }
    if (commands.consumer_gone()) return 0;
    if (is_timeout(why)) return timed_out(o, why, sink.received());
    return 0;
}

int run_subscribe(const SubscribeOptions& o, const GlobalOptions& globals) {
    check_exec_options(o);
    // Usage errors (a bad template) come before any connection setting is read.
    std::unique_ptr<output::Formatter> formatter;
    if (!o.exec) {
        formatter = output::make_formatter(
            select_format(o),
            {.colour = output::stdout_wants_colour(), .escape = output::stdout_is_terminal()},
            o.template_text.value_or(""));
    }
    redis::Deadline deadline;
    if (o.timeout) {
        deadline = std::chrono::steady_clock::now() + util::parse_duration(*o.timeout, "--timeout");
    }
    SinkRules rules{.count = o.count, .excludes = o.excludes, .idle = std::nullopt};
    if (o.idle_timeout) rules.idle = util::parse_duration(*o.idle_timeout, "--idle-timeout");
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
    auto settings = config::load_settings(globals.connection);

    QueueSink sink(queue, rules);
    const int status =
        o.exec ? stream_to_commands(o, settings, options, deadline, sink, queue)
               : stream_to_stdout(o, *formatter, settings, options, deadline, sink, queue);
    if (sink.excluded() > 0) spdlog::debug("{} message(s) excluded", sink.excluded());
    return status;
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
    return {
        "subscribe", "Stream messages of channels to stdout", "CHANNEL", "Channels",
        "Examples:\n"
        "  amr subscribe orders:created\n"
        "  amr subscribe -j orders:created | jq -r .data.order_id\n"
        "  amr subscribe --count 1 --timeout 10s orders:created\n"
        "  amr subscribe --idle-timeout 60s --exec ./handle-job.sh jobs:new\n"
        "  amr subscribe --jobs 4 --exec 'jq -c .data' --exclude 'orders:test*' orders:created"};
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
                sub.add_option("-F,--format", o->format,
                               "pretty (the lab's display), json (one object per line), raw "
                               "(the payload) or template (--template)")
                    ->check(CLI::IsMember({"pretty", "json", "raw", "template"}))
                    ->type_name("FORMAT");
                sub.add_option("--template", o->template_text,
                               "Print each message through TEMPLATE, adding no newline, e.g. "
                               "'{channel}\\t{data.order_id}\\n' (implies --format template; "
                               "TEMPLATES in man amr)")
                    ->type_name("TEMPLATE");
                sub.add_flag("-j,--json", o->json, "Short for --format json");
                sub.add_option("--count", o->count, "Exit 0 after N messages")
                    ->check(util::whole_number(1, std::numeric_limits<long long>::max()))
                    ->type_name("N");
                sub.add_option("--timeout", o->timeout,
                               "Stop after DURATION (10, 10s, 500ms, 2m); exit 124 if --count "
                               "messages have not arrived by then")
                    ->type_name("DURATION");
                sub.add_option("--idle-timeout", o->idle_timeout,
                               "Stop after DURATION without a message (pings, confirmations "
                               "and --exclude'd messages do not count); exit 124 if --count "
                               "messages have not arrived by then")
                    ->type_name("DURATION");
                sub.add_option("--exclude", o->excludes,
                               "Drop messages whose channel matches PATTERN (PSUBSCRIBE's "
                               "glob: * ? [abc] [^a] [a-z] \\x), before --count counts and "
                               "before any output; repeatable")
                    ->type_name("PATTERN")
                    ->allow_extra_args(false);
                sub.add_option("--exec", o->exec,
                               "Run CMD with /bin/sh for each message: the payload on its "
                               "stdin, AMR_CHANNEL, AMR_PATTERN, AMR_TYPE and AMR_RECEIVED_AT "
                               "in its environment, its stdout to amr's stdout in one piece "
                               "(instead of --format)")
                    ->type_name("CMD");
                sub.add_option("--jobs", o->jobs,
                               "With --exec: run up to N commands at once (default 1: one "
                               "after another, in order); outputs come as commands end")
                    ->check(util::whole_number(1, 1024))
                    ->type_name("N");
                sub.add_flag("--exec-fail-fast", o->exec_fail_fast,
                             "With --exec: stop at the first command that fails (exit 1); "
                             "default: report it on stderr and go on");
                sub.add_option("--buffer", o->buffer,
                               "Memory for messages stdout (or --exec) has not taken yet (default "
                               "256MiB); "
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
