// amr subscribe CHANNEL... and amr psubscribe PATTERN...: stream messages to stdout until
// a signal, --count or --timeout.
#include <spdlog/spdlog.h>

#include "commands/command.hpp"
#include "output/formatter.hpp"
#include "output/stdout_sink.hpp"
#include "redis/subscriber.hpp"
#include "util/duration.hpp"

namespace amr::commands {
namespace {

struct SubscribeOptions {
    bool patterns = false;
    std::vector<std::string> names;
    std::string format = "pretty";
    bool json = false;
    std::optional<long long> count;
    std::optional<std::string> timeout;
};

std::string confirmation(const redis::PubSubEvent& e) {
    return std::string("[+] Subscribed to ") + (e.for_pattern ? "pattern" : "channel") + ": '" +
           std::string(e.channel) + "'";
}

int run_subscribe(const SubscribeOptions& o, const GlobalOptions& globals) {
    const output::Format format = o.json ? output::Format::json : output::parse_format(o.format);
    redis::Deadline deadline;
    if (o.timeout) {
        deadline = std::chrono::steady_clock::now() + util::parse_duration(*o.timeout, "--timeout");
    }
    if (o.count && *o.count <= 0) throw usage_error("--count must be at least 1");

    auto formatter = output::make_formatter(format, output::stdout_wants_colour());
    auto settings = config::load_settings(globals.connection);
    auto connection = redis::Connection::open(settings);

    std::vector<std::string_view> command = {o.patterns ? "PSUBSCRIBE" : "SUBSCRIBE"};
    command.insert(command.end(), o.names.begin(), o.names.end());
    connection.append(command);
    connection.flush();

    long long received = 0;
    std::string text;
    redis::ReplyPtr reply;
    for (;;) {
        switch (redis::wait_for_reply(connection, reply, deadline)) {
            case redis::Wake::stopped:
                spdlog::debug("stopped by a signal after {} message(s)", received);
                return 0;
            case redis::Wake::deadline:
                if (o.count) {
                    spdlog::error("--timeout {} ended after {} of {} message(s)", *o.timeout,
                                  received, *o.count);
                    return static_cast<int>(ExitCode::timeout);
                }
                return 0;
            case redis::Wake::reply: break;
        }
        if (reply->type == REDIS_REPLY_ERROR) throw redis::reply_error(reply.get(), command[0]);
        const redis::PubSubEvent e = redis::decode_pubsub(reply.get());
        using Kind = redis::PubSubEvent::Kind;
        if (e.kind == Kind::subscribed) {
            spdlog::info(confirmation(e));
            continue;
        }
        if (e.kind != Kind::message && e.kind != Kind::pmessage) continue;

        text.clear();
        formatter->append({.is_pattern = e.kind == Kind::pmessage,
                           .pattern = e.pattern,
                           .channel = e.channel,
                           .payload = e.payload,
                           .received_at = std::chrono::system_clock::now()},
                          text);
        output::write_stdout(text);
        if (o.count && ++received >= *o.count) return 0;
    }
}

CommandSpec make_spec(bool patterns) {
    return {patterns ? "psubscribe" : "subscribe",
            patterns ? "Stream messages of channels matching patterns to stdout"
                     : "Stream messages of channels to stdout",
            [patterns](CLI::App& sub, const GlobalOptions& globals) -> Action {
                auto o = std::make_shared<SubscribeOptions>();
                o->patterns = patterns;
                sub.add_option(patterns ? "pattern" : "channel", o->names,
                               patterns ? "Glob-style patterns, e.g. 'orders:*'" : "Channels")
                    ->required()
                    ->type_name(patterns ? "PATTERN" : "CHANNEL");
                sub.add_option("-F,--format", o->format,
                               "pretty (the lab's display), json (one object per line) or raw "
                               "(the payload)")
                    ->check(CLI::IsMember({"pretty", "json", "raw"}))
                    ->type_name("FORMAT");
                sub.add_flag("-j,--json", o->json, "Short for --format json");
                sub.add_option("--count", o->count, "Exit 0 after N messages")->type_name("N");
                sub.add_option("--timeout", o->timeout,
                               "Stop after DURATION (10, 10s, 500ms, 2m); exit 124 if --count "
                               "messages have not arrived by then")
                    ->type_name("DURATION");
                sub.footer(patterns ? "Examples:\n"
                                      "  amr psubscribe 'orders:*'\n"
                                      "  amr psubscribe -j '*' | jq -r .channel"
                                    : "Examples:\n"
                                      "  amr subscribe orders:created\n"
                                      "  amr subscribe -j orders:created | jq -r .data.order_id\n"
                                      "  amr subscribe --count 1 --timeout 10s orders:created");
                return [o, &globals] { return run_subscribe(*o, globals); };
            }};
}

}  // namespace

CommandSpec subscribe_command() { return make_spec(false); }
CommandSpec psubscribe_command() { return make_spec(true); }

}  // namespace amr::commands
