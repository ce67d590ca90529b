#include "commands/envelope_options.hpp"

#include "error.hpp"
#include "output/terminal_escape.hpp"
#include "publish/stream.hpp"
#include "util/whole_number.hpp"

namespace amr::commands {

void add_envelope_options(CLI::App& sub, EnvelopeFlags& e) {
    const std::string group = "Replaying and bridging";
    sub.add_flag("--envelope", e.envelope,
                 "Every line of stdin (or --file) is a JSON object as subscribe -j writes them: "
                 "its data sent to its channel, byte for byte; no CHANNEL")
        ->group(group);
    sub.add_option("--pace", e.pace,
                   "With --envelope: 'received' replays with the gaps between the lines' "
                   "received_at (default: as fast as the pipeline goes)")
        ->check(CLI::IsMember({"received"}))
        ->type_name("MODE")
        ->group(group);
    sub.add_option("--speed", e.speed,
                   "With --pace received: scale the gaps (2 replays twice as fast)")
        ->check(util::positive_number(
            1e6, "a factor above 0 and at most 1000000 (2 is twice as fast, 0.5 half)", "FACTOR"))
        ->type_name("X")
        ->group(group);
}

void check_envelope_flags(const EnvelopeFlags& e) {
    if (!e.envelope && e.pace) throw usage_error("--pace applies to --envelope only");
    if (!e.pace && e.speed) throw usage_error("--speed needs --pace received");
}

int run_envelope(const EnvelopeFlags& e, const StreamFlags& f, const MessageOptions& m,
                 const std::string& channel, const GlobalOptions& globals) {
    check_envelope_flags(e);
    if (!channel.empty()) {
        throw usage_error(
            "publish --envelope takes no CHANNEL, got '" + output::terminal_escaped(channel) + "'",
            "every line names its channel: amr publish --envelope < capture.jsonl");
    }
    if (m.message) throw usage_error("publish --envelope takes no MESSAGE");
    if (message::builds_message(m.spec)) {
        throw usage_error(
            "--preset, --event and -f build one message; they do not go with "
            "--envelope");
    }
    if (m.raw) throw usage_error("--raw does not go with --envelope: every line is JSON");
    if (m.sharded || m.cluster) {
        throw usage_error(
            std::string(m.sharded ? "--sharded" : "--cluster") + " does not go with --envelope",
            "a line with \"type\":\"smessage\" is sent with SPUBLISH");
    }
    if (f.reconnect_max && !f.retry) throw usage_error("--reconnect-max needs --retry");

    publish::EnvelopeOptions eo;
    eo.stream = stream_options_of(f, m, {});
    eo.pace_received = e.pace.has_value();
    eo.speed = e.speed.value_or(1.0);

    // The file first: a wrong name is a usage error even without a server.
    const auto input = publish::open_input(f.file.value_or("-"));
    auto settings = config::load_settings(globals.connection);
    const publish::StreamResult result = publish::send_envelope(*input, settings, eo);
    return finish_stream(result, m, false);
}

}  // namespace amr::commands
