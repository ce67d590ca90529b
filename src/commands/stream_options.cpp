#include "commands/stream_options.hpp"

#include <spdlog/spdlog.h>

#include "error.hpp"
#include "output/stdout_sink.hpp"
#include "publish/stream.hpp"
#include "util/whole_number.hpp"

#include <limits>

namespace amr::commands {

void add_stream_options(CLI::App& sub, StreamFlags& f) {
    const std::string group = "Streams of messages";
    sub.add_flag("--lines", f.lines,
                 "Send every line of stdin as one message, pipelined (empty lines skipped)")
        ->group(group);
    sub.add_option("--file", f.file,
                   "Send every line of FILE as one message ('-': stdin); implies --lines")
        ->type_name("FILE")
        ->group(group);
    sub.add_flag("--skip-invalid", f.skip_invalid,
                 "Report lines that are not JSON and go on without them (default: stop "
                 "before the first, exit 2)")
        ->group(group);
    sub.add_option(
           "--window", f.window,
           "PUBLISH commands in flight at most (default " + std::to_string(default_window) + ")")
        ->check(util::whole_number(1, 1000000))
        ->type_name("N")
        ->group(group);
    sub.add_flag("--retry", f.retry,
                 "On a lost connection, reconnect and send again from the first unconfirmed "
                 "message (at least once; default: exit 3)")
        ->group(group);
    sub.add_option("--reconnect-max", f.reconnect_max,
                   "With --retry: give up (exit 3) after N failed reconnect attempts")
        ->check(util::whole_number(1, std::numeric_limits<int>::max()))
        ->type_name("N")
        ->group(group);
}

void check_stream_flags(const StreamFlags& f, const MessageOptions& m) {
    if (!f.streaming()) {
        const char* only = f.skip_invalid    ? "--skip-invalid"
                           : f.window        ? "--window"
                           : f.retry         ? "--retry"
                           : f.reconnect_max ? "--reconnect-max"
                                             : nullptr;
        if (only) throw usage_error(std::string(only) + " applies to --lines and --file only");
        return;
    }
    if (m.message) {
        throw usage_error("give either MESSAGE or --lines/--file, not both",
                          "with --lines every line of stdin is a message");
    }
    if (message::builds_message(m.spec)) {
        throw usage_error(
            "--preset, --event and -f build one message; they do not go with --lines/--file");
    }
    if (f.skip_invalid && m.raw) {
        throw usage_error(
            "--skip-invalid skips lines that are not JSON; with --raw every line is sent");
    }
    if (f.reconnect_max && !f.retry) throw usage_error("--reconnect-max needs --retry");
    if (f.reconnect_max && *f.reconnect_max <= 0) {
        throw usage_error("--reconnect-max must be at least 1");
    }
}

publish::StreamOptions stream_options_of(const StreamFlags& f, const MessageOptions& m,
                                         const std::vector<std::string>& channels) {
    publish::StreamOptions so;
    so.channels = channels;
    so.raw = m.raw;
    so.skip_invalid = f.skip_invalid;
    so.window = f.window.value_or(default_window);
    so.retry = f.retry;
    so.reconnect_max = f.reconnect_max;
    so.sharded = m.sharded;
    so.min_receivers = m.min_receivers;
    return so;
}

int run_stream(const StreamFlags& f, const MessageOptions& m,
               const std::vector<std::string>& channels, bool broadcast,
               const GlobalOptions& globals) {
    check_stream_flags(f, m);

    const publish::StreamOptions so = stream_options_of(f, m, channels);

    // The file first: a wrong name is a usage error even without a server.
    const auto input = publish::open_input(f.file.value_or("-"));
    auto settings = config::load_settings(globals.connection);
    if (m.sharded) settings = sharded_stream_settings(m, channels, settings);
    const publish::StreamResult result = publish::send_stream(*input, settings, so);

    return finish_stream(result, m, broadcast);
}

int finish_stream(const publish::StreamResult& result, const MessageOptions& m, bool broadcast) {
    const output::OutputMode mode = output_mode(m);
    output::write_stdout(result.totals.per_message
                             ? publish::per_channel_output(mode, result.totals)
                         : broadcast ? publish::broadcast_lines_output(mode, result.totals)
                                     : publish::publish_lines_output(mode, result.totals));
    if (result.interrupted) return publish::interrupted_exit_code;
    if (result.below_min > 0) {
        spdlog::error("{} message(s) reached fewer than --min-receivers {}; the first is {} {}",
                      result.below_min, *m.min_receivers, result.unit, result.first_below_min_line);
        return static_cast<int>(ExitCode::too_few_receivers);
    }
    return 0;
}

}  // namespace amr::commands
