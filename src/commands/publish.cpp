// amr publish CHANNEL [MESSAGE]: one PUBLISH, the lab's publisher in one command; with
// --lines or --file, one message per line of input.
#include <spdlog/spdlog.h>

#include "commands/command.hpp"
#include "commands/envelope_options.hpp"
#include "commands/generate_options.hpp"
#include "commands/message_options.hpp"
#include "commands/stream_options.hpp"
#include "error.hpp"
#include "output/stdout_sink.hpp"

namespace amr::commands {
namespace {

struct PublishOptions {
    std::string channel;
    MessageOptions message;
    StreamFlags stream;
    GenerateFlags generate;
    EnvelopeFlags envelope;
};

int run_publish(const PublishOptions& o, const GlobalOptions& globals) {
    if (o.envelope.envelope) {
        if (o.generate.generating()) {
            throw usage_error(
                "--count, --interval, --rate and --expand make messages; they do not go "
                "with --envelope");
        }
        return run_envelope(o.envelope, o.stream, o.message, o.channel, globals);
    }
    check_envelope_flags(o.envelope);
    if (o.stream.streaming() && !o.generate.generating()) {
        if (o.channel.empty()) {
            throw usage_error("publish --lines needs a CHANNEL", "amr publish CHANNEL --lines");
        }
        return run_stream(o.stream, o.message, {o.channel}, false, globals);
    }
    std::string channel = o.channel;
    if (channel.empty()) {
        if (!o.message.spec.preset)
            throw usage_error("publish needs a CHANNEL", "amr publish CHANNEL MESSAGE");
        channel = std::string(message::find_preset(*o.message.spec.preset).channel);
    }
    if (o.generate.generating()) {
        return run_generated(o.generate, o.stream, o.message, {channel}, false, globals);
    }
    check_stream_flags(o.stream, o.message);
    const std::string text = resolve_message(o.message, WhenMissing::read_piped_stdin);
    const output::OutputMode mode = output_mode(o.message);

    auto settings = config::load_settings(globals.connection);
    const long long receivers = publish_each(o.message, {channel}, text, settings).front();
    spdlog::debug("published {} bytes to '{}': {} receiver(s)", text.size(), channel, receivers);

    output::write_stdout(output::publish_output(mode, channel, receivers, text));
    return check_min_receivers(o.message, receivers);
}

}  // namespace

CommandSpec publish_command() {
    return {
        "publish", "Publish one message (JSON by default) to a channel",
        [](CLI::App& sub, const GlobalOptions& globals) -> Action {
            auto o = std::make_shared<PublishOptions>();
            sub.add_option("channel", o->channel, "Channel to publish to (optional with --preset)")
                ->type_name("CHANNEL");
            sub.add_option("message", o->message.message,
                           "JSON message; '-' or none with piped stdin reads stdin")
                ->type_name("MESSAGE");
            add_message_options(sub, o->message);
            add_stream_options(sub, o->stream);
            add_generate_options(sub, o->generate);
            add_envelope_options(sub, o->envelope);
            sub.footer(
                "Examples:\n"
                "  amr publish --preset order_created\n"
                "  amr publish orders:created '{\"event\":\"order_created\",\"total\":5}'\n"
                "  amr publish orders:created --event order_created -f customer=Ann -f total:=5\n"
                "  jq -c . order.json | amr publish orders:created --min-receivers 1\n"
                "  jq -c '.[]' orders.json | amr publish orders:created --lines\n"
                "  amr publish events --file events.jsonl --skip-invalid --retry\n"
                "  amr subscribe -j orders:created | amr --env-file b.env publish --envelope\n"
                "  amr publish --envelope --file capture.jsonl --pace received --speed 2\n"
                "  amr publish ticks '{\"seq\":{{count}},\"at\":\"{{time}}\"}' --count 100 --rate "
                "10");
            return [o, &globals] { return run_publish(*o, globals); };
        }};
}

}  // namespace amr::commands
