// amr broadcast [MESSAGE]: the same message to several channels in one round trip; with
// --lines or --file, every line of input to every channel.
#include <spdlog/spdlog.h>

#include "commands/command.hpp"
#include "commands/generate_options.hpp"
#include "commands/message_options.hpp"
#include "commands/stream_options.hpp"
#include "output/stdout_sink.hpp"
#include "util/saturating.hpp"

namespace amr::commands {
namespace {

const std::vector<std::string> lab_channels = {"orders:created", "orders:shipped",
                                               "inventory:alerts", "notifications"};

struct BroadcastOptions {
    std::vector<std::string> channels;
    MessageOptions message;
    StreamFlags stream;
    GenerateFlags generate;
};

int run_broadcast(const BroadcastOptions& o, const GlobalOptions& globals) {
    const auto& channels = o.channels.empty() ? lab_channels : o.channels;
    if (o.generate.generating()) {
        return run_generated(o.generate, o.stream, o.message, channels, true, globals);
    }
    if (o.stream.streaming()) return run_stream(o.stream, o.message, channels, true, globals);
    check_stream_flags(o.stream, o.message);
    const std::string text = resolve_message(o.message, WhenMissing::use_default_preset);
    const output::OutputMode mode = output_mode(o.message);

    auto settings = config::load_settings(globals.connection);
    const std::vector<long long> receivers = publish_each(o.message, channels, text, settings);
    std::vector<output::ChannelCount> counts;
    long long total = 0;
    for (size_t i = 0; i < channels.size(); ++i) {
        counts.emplace_back(channels[i], receivers[i]);
        total = util::add_saturating(total, receivers[i]);
    }
    spdlog::debug("broadcast to {} channel(s): {} receiver(s)", channels.size(), total);

    output::write_stdout(output::broadcast_output(mode, counts, text));
    return check_min_receivers(o.message, total);
}

}  // namespace

CommandSpec broadcast_command() {
    return {"broadcast", "Publish the same message to several channels (default: the lab's four)",
            [](CLI::App& sub, const GlobalOptions& globals) -> Action {
                auto o = std::make_shared<BroadcastOptions>();
                sub.add_option("message", o->message.message,
                               "JSON message ('-' reads stdin); none sends the "
                               "system_announcement preset")
                    ->type_name("MESSAGE");
                sub.add_option("-c,--channel", o->channels,
                               "Channel to publish to; repeatable (default: orders:created, "
                               "orders:shipped, inventory:alerts, notifications)")
                    ->type_name("CHANNEL")
                    ->allow_extra_args(false);
                add_message_options(sub, o->message);
                add_stream_options(sub, o->stream);
                add_generate_options(sub, o->generate);
                sub.footer(
                    "Examples:\n"
                    "  amr broadcast\n"
                    "  amr broadcast -c alerts -c audit '{\"event\":\"deploy\"}'\n"
                    "  amr broadcast -o json --min-receivers 1\n"
                    "  amr broadcast -c alerts -c audit --file events.jsonl");
                return [o, &globals] { return run_broadcast(*o, globals); };
            }};
}

}  // namespace amr::commands
