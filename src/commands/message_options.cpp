#include "commands/message_options.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "error.hpp"
#include "message/json_check.hpp"
#include "output/stdout_sink.hpp"
#include "redis/cluster_client.hpp"
#include "redis/cluster_view.hpp"
#include "util/limits.hpp"
#include "util/read_all.hpp"
#include "util/whole_number.hpp"

#include <limits>

namespace amr::commands {
namespace {

std::string preset_names() {
    std::string names;
    for (const auto& p : message::presets())
        names += (names.empty() ? "" : ", ") + std::string(p.name);
    return names;
}

std::string read_stdin() {
    std::string text = util::read_all(STDIN_FILENO, "<stdin>", util::max_message_bytes);
    if (text.ends_with("\r\n")) {
        text.resize(text.size() - 2);
    } else if (text.ends_with('\n')) {
        text.pop_back();
    }
    return text;
}

}  // namespace

void add_message_build_options(CLI::App& sub, MessageOptions& o) {
    sub.add_option("--preset", o.spec.preset,
                   "Build one of the lab's events with fresh ids and timestamp: " + preset_names());
    sub.add_option("--event", o.spec.event, "Build {\"event\":NAME, fields..., \"timestamp\":now}");
    sub.add_option("-f,--field", o.spec.fields,
                   "Add or replace a field: KEY=VALUE (a string) or KEY:=JSON (typed); repeatable")
        ->type_name("KEY=VALUE")
        ->allow_extra_args(false);
}

void add_message_options(CLI::App& sub, MessageOptions& o) {
    sub.add_flag("--raw", o.raw, "Send MESSAGE as it is, without checking that it is JSON");
    add_message_build_options(sub, o);
    sub.add_option("-o,--output", o.output,
                   "auto (report on a terminal, counts in a pipe), report, count or json")
        ->check(CLI::IsMember({"auto", "report", "count", "json"}))
        ->type_name("MODE");
    sub.add_flag("--sharded", o.sharded,
                 "Shard channels: SPUBLISH, sent to the shard that owns each channel");
    sub.add_flag("--cluster", o.cluster,
                 "With --sharded: require a Redis Cluster (default: detected from the server)");
    sub.add_option("--min-receivers", o.min_receivers,
                   "Exit 5 when fewer subscribers than N received the message")
        ->check(util::whole_number(0, std::numeric_limits<long long>::max()))
        ->type_name("N");
}

namespace {

void check_message_sources(const MessageOptions& o) {
    const bool builds = message::builds_message(o.spec);
    if (builds && o.message) {
        throw usage_error("give either MESSAGE or --preset/--event/-f, not both");
    }
    if (builds && o.raw) throw usage_error("--raw applies to MESSAGE, not to --preset/--event/-f");
}

}  // namespace

std::optional<std::string> given_text(const MessageOptions& o, WhenMissing when_missing) {
    check_message_sources(o);
    if (message::builds_message(o.spec)) return std::nullopt;
    if (o.message && *o.message != "-") return *o.message;
    if (o.message || (when_missing == WhenMissing::read_piped_stdin && !isatty(STDIN_FILENO))) {
        return read_stdin();
    }
    if (when_missing == WhenMissing::use_default_preset) return std::nullopt;
    throw usage_error(
        "no message to publish",
        "give MESSAGE, '-' to read stdin, or --preset/--event (presets: " + preset_names() + ")");
}

message::MessageSpec spec_to_build(const MessageOptions& o) {
    if (message::builds_message(o.spec)) return o.spec;
    message::MessageSpec spec;
    spec.preset = "system_announcement";
    return spec;
}

void require_message_json(const MessageOptions& o, const std::string& text,
                          const std::string& what) {
    if (o.raw) return;
    if (text.empty()) throw usage_error(what + " is empty", "use --raw to send it anyway");
    message::require_json(text, what);
}

std::string resolve_message(const MessageOptions& o, WhenMissing when_missing) {
    std::optional<std::string> text = given_text(o, when_missing);
    if (!text) return message::build_message(spec_to_build(o), std::chrono::system_clock::now());
    try {
        require_message_json(o, *text, "the message");
    } catch (const Error& e) {
        if (text->find("{{") == std::string::npos) throw;
        throw usage_error(e.what(),
                          "placeholders such as {{count}} are expanded only with "
                          "--count, --rate, --interval or --expand");
    }
    return *text;
}

output::OutputMode output_mode(const MessageOptions& o) {
    return output::resolve_output_mode(output::parse_output_mode(o.output),
                                       output::stdout_is_terminal());
}

int check_min_receivers(const MessageOptions& o, long long receivers) {
    if (!o.min_receivers || receivers >= *o.min_receivers) return 0;
    spdlog::error("{} receiver(s), fewer than --min-receivers {}", receivers, *o.min_receivers);
    return static_cast<int>(ExitCode::too_few_receivers);
}

std::vector<long long> publish_each(const MessageOptions& o,
                                    const std::vector<std::string>& channels,
                                    const std::string& text, const config::Settings& settings) {
    std::vector<long long> counts;
    if (o.sharded) {
        redis::ClusterClient client(
            settings, o.cluster ? redis::ClusterMode::force : redis::ClusterMode::detect);
        for (const auto& channel : channels) {
            auto reply = client.keyed_command(channel, {"SPUBLISH", channel, text});
            counts.push_back(redis::count_of(reply.get(), "SPUBLISH", client.last_endpoint()));
        }
        return counts;
    }
    if (o.cluster) throw usage_error("--cluster goes with --sharded");
    // PUBLISH's reply shows the connection works: no PING first.
    auto connection = redis::Connection::open(settings, redis::Connection::Protocol::resp2, false);
    for (const auto& channel : channels) connection.append({"PUBLISH", channel, text});
    for (size_t i = 0; i < channels.size(); ++i) {
        auto reply = connection.read_reply("PUBLISH");
        if (reply->type == REDIS_REPLY_ERROR) throw redis::reply_error(reply.get(), "PUBLISH");
        counts.push_back(redis::count_of(reply.get(), "PUBLISH", connection.endpoint()));
    }
    return counts;
}

config::Settings sharded_stream_settings(const MessageOptions& o,
                                         const std::vector<std::string>& channels,
                                         config::Settings settings) {
    redis::Connection seed = redis::Connection::open(settings);
    redis::ClusterView cluster(settings);
    cluster.discover(seed, o.cluster ? redis::ClusterMode::force : redis::ClusterMode::detect);
    if (!cluster.is_cluster()) return settings;
    const uint16_t slot = cluster.slot_of(channels.front());
    for (const auto& channel : channels) {
        if (cluster.slot_of(channel) != slot) {
            throw usage_error(
                "--sharded --lines sends over one connection, so its channels "
                "must share a slot",
                "give them one hash tag, e.g. orders:{eu}:created and "
                "orders:{eu}:shipped");
        }
    }
    return cluster.settings_for(cluster.node_for(slot));
}

}  // namespace amr::commands
