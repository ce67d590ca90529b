#include "commands/generate_options.hpp"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <memory>
#include <random>

#include "error.hpp"
#include "message/builder.hpp"
#include "message/placeholders.hpp"
#include "publish/generate.hpp"
#include "util/duration.hpp"
#include "util/whole_number.hpp"

namespace amr::commands {
namespace {

std::string hostname() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
    return name;
}

// "-f seq" for "-f seq:={{count}}": what an error names.
std::string field_name(const std::string& field) {
    return "-f " + field.substr(0, field.find_first_of(":="));
}

using Maker = std::function<std::string(std::uint64_t, util::SystemTime)>;
using ChannelMaker =
    std::function<void(std::uint64_t, util::SystemTime, std::vector<std::string>&)>;

// `timed`: set to whether the messages use the time.
Maker message_maker(const MessageOptions& m, bool broadcast, bool& timed) {
    auto random = std::make_shared<std::mt19937_64>(std::random_device{}());
    auto host = std::make_shared<const std::string>(hostname());
    auto context = [random, host](std::uint64_t n, util::SystemTime now) {
        return message::PlaceholderContext{n, now, *host, random.get()};
    };
    const auto when_missing =
        broadcast ? WhenMissing::use_default_preset : WhenMissing::read_piped_stdin;
    if (std::optional<std::string> text = given_text(m, when_missing)) {
        auto placeholders = std::make_shared<const message::Placeholders>(
            message::Placeholders::parse(*text, "MESSAGE"));
        timed = placeholders->uses_time();
        return [placeholders, context, &m](std::uint64_t n, util::SystemTime now) {
            std::string out = placeholders->render(context(n, now));
            require_message_json(m, out, "message " + std::to_string(n));
            return out;
        };
    }
    message::MessageSpec spec = spec_to_build(m);
    std::vector<message::Placeholders> fields;
    for (const std::string& f : spec.fields) {
        fields.push_back(message::Placeholders::parse(f, field_name(f)));
    }
    return [spec, fields, context](std::uint64_t n, util::SystemTime now) {
        message::MessageSpec s = spec;
        for (size_t i = 0; i < fields.size(); ++i) s.fields[i] = fields[i].render(context(n, now));
        return message::build_message(s, now);
    };
}

// Nothing when no CHANNEL has a placeholder: the fixed channels' path is the fastest.
ChannelMaker channel_maker(const std::vector<std::string>& channels, const MessageOptions& m,
                           bool& timed) {
    std::vector<message::Placeholders> parsed;
    bool constant = true;
    for (const std::string& channel : channels) {
        parsed.push_back(message::Placeholders::parse(channel, "CHANNEL"));
        constant = constant && parsed.back().constant();
        timed = timed || parsed.back().uses_time();
    }
    if (constant) return {};
    if (m.sharded) {
        throw usage_error("--sharded does not go with placeholders in CHANNEL",
                          "each message's channel may be on another shard");
    }
    auto random = std::make_shared<std::mt19937_64>(std::random_device{}());
    auto host = std::make_shared<const std::string>(hostname());
    return [parsed = std::move(parsed), random, host](std::uint64_t n, util::SystemTime now,
                                                      std::vector<std::string>& out) {
        out.clear();
        for (const auto& p : parsed) out.push_back(p.render({n, now, *host, random.get()}));
    };
}

}  // namespace

void add_generate_options(CLI::App& sub, GenerateFlags& g) {
    const std::string group = "Generated messages";
    sub.add_option("--count", g.count,
                   "Send N messages (default 1), each made afresh: placeholders such as "
                   "{{count}} expanded, --preset/--event with fresh ids and timestamp")
        ->check(util::whole_number(1, std::numeric_limits<long long>::max()))
        ->type_name("N")
        ->group(group);
    auto* interval = sub.add_option("--interval", g.interval,
                                    "Send a message every DURATION (10s, 500ms), on a schedule "
                                    "that does not drift")
                         ->type_name("DURATION")
                         ->group(group);
    sub.add_option("--rate", g.rate,
                   "Send R messages per second (100, 2.5), on a schedule that does not drift")
        // At most a million: one a microsecond.
        ->check(util::positive_number(1e6,
                                      "a number of messages per second above 0 and at most "
                                      "1000000 (100, 2.5)",
                                      "RATE"))
        ->type_name("R")
        ->excludes(interval)
        ->group(group);
    sub.add_flag("--expand", g.expand,
                 "Expand placeholders ({{count}}, {{time}}, {{uuid}}, ...) in one message too")
        ->group(group);
}

int run_generated(const GenerateFlags& g, const StreamFlags& f, const MessageOptions& m,
                  const std::vector<std::string>& channels, bool broadcast,
                  const GlobalOptions& globals) {
    if (f.streaming()) {
        throw usage_error(
            "--count, --interval, --rate and --expand make messages; they do not go "
            "with --lines/--file");
    }
    if (f.skip_invalid) throw usage_error("--skip-invalid applies to --lines and --file only");
    if (f.reconnect_max && !f.retry) throw usage_error("--reconnect-max needs --retry");
    publish::GenerateOptions go;
    go.stream = stream_options_of(f, m, channels);
    go.count = g.count.value_or(1);
    if (g.rate) {
        go.pacer = publish::Pacer::per_second(*g.rate);
    } else if (g.interval) {
        go.pacer = publish::Pacer(util::parse_duration(*g.interval, "--interval"));
    }
    go.make = message_maker(m, broadcast, go.timed);
    go.make_channels = channel_maker(channels, m, go.timed);
    // The first message is made before connecting: a placeholder that makes it no JSON is a
    // usage error at once, not after the connection.
    go.make(1, std::chrono::system_clock::now());

    auto settings = config::load_settings(globals.connection);
    if (m.sharded) settings = sharded_stream_settings(m, channels, settings);
    publish::StreamResult result = publish::send_generated(settings, go);
    result.unit = "message";
    return finish_stream(result, m, broadcast);
}

}  // namespace amr::commands
