// amr channels [PATTERN]: the active channels with their subscriber counts and the number
// of pattern subscriptions (PUBSUB CHANNELS, NUMSUB, NUMPAT; SHARDCHANNELS and
// SHARDNUMSUB with --sharded), summed over every node of a cluster.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include <map>

#include "commands/command.hpp"
#include "output/json_string.hpp"
#include "output/stdout_sink.hpp"
#include "output/terminal_escape.hpp"
#include "redis/cluster_client.hpp"

namespace amr::commands {
namespace {

struct ChannelsOptions {
    std::optional<std::string> pattern;
    bool sharded = false;
    bool cluster = false;
    std::string output = "text";
};

struct Census {
    std::map<std::string, long long> subscribers;  // by channel, sorted
    long long patterns = 0;
};

void count_on(redis::Connection& c, const ChannelsOptions& o, Census& census) {
    const std::string where = c.endpoint();
    const std::string_view list_verb = o.sharded ? "PUBSUB SHARDCHANNELS" : "PUBSUB CHANNELS";
    const std::string_view numsub_verb = o.sharded ? "PUBSUB SHARDNUMSUB" : "PUBSUB NUMSUB";
    std::vector<std::string_view> list = {"PUBSUB", o.sharded ? "SHARDCHANNELS" : "CHANNELS"};
    if (o.pattern) list.push_back(*o.pattern);
    redis::ReplyPtr names = c.command(list);
    redis::expect_type(names.get(), {REDIS_REPLY_ARRAY, REDIS_REPLY_SET}, "an array", list_verb,
                       where);
    std::vector<std::string_view> numsub = {"PUBSUB", o.sharded ? "SHARDNUMSUB" : "NUMSUB"};
    for (size_t i = 0; i < names->elements; ++i) {
        numsub.push_back(redis::text_of(names->element[i], list_verb, where));
    }
    redis::ReplyPtr counts = c.command(numsub);
    redis::expect_type(counts.get(), {REDIS_REPLY_ARRAY, REDIS_REPLY_MAP}, "an array", numsub_verb,
                       where);
    // Counts for exactly the channels asked about, in order: anything else is not an
    // answer to this question, and amr would print channels nobody listed.
    if (counts->elements != 2 * names->elements) {
        throw redis::protocol_error(where, std::string(numsub_verb) + " answered for " +
                                               std::to_string(counts->elements / 2) +
                                               " channel(s), asked about " +
                                               std::to_string(names->elements));
    }
    for (size_t i = 0; i < names->elements; ++i) {
        const std::string_view name = redis::text_of(counts->element[2 * i], numsub_verb, where);
        if (name != numsub[i + 2]) {
            throw redis::protocol_error(
                where, std::string(numsub_verb) + " answered for a channel amr did not ask about");
        }
        census.subscribers[std::string(name)] +=
            redis::count_of(counts->element[2 * i + 1], numsub_verb, where);
    }
    if (!o.sharded) {
        census.patterns +=
            redis::count_of(c.command({"PUBSUB", "NUMPAT"}).get(), "PUBSUB NUMPAT", where);
    }
}

std::string as_json(const Census& census, bool sharded) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("channels");
    w.StartArray();
    for (const auto& [channel, n] : census.subscribers) {
        w.StartObject();
        w.Key("channel");
        output::write_json_string(w, channel);
        w.Key("subscribers");
        w.Int64(n);
        w.EndObject();
    }
    w.EndArray();
    if (!sharded) {
        w.Key("patterns");
        w.Int64(census.patterns);
    }
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

int run_channels(const ChannelsOptions& o, const GlobalOptions& globals) {
    auto settings = config::load_settings(globals.connection);
    redis::ClusterClient client(settings,
                                o.cluster ? redis::ClusterMode::force : redis::ClusterMode::detect);
    Census census;
    for (const auto& node : client.nodes()) count_on(client.connection_to(node), o, census);

    if (o.output == "json") {
        output::write_stdout(as_json(census, o.sharded));
        return 0;
    }
    // Names as they are for a script; on a terminal their control bytes are escapes.
    const bool terminal = output::stdout_is_terminal();
    std::string text;
    for (const auto& [channel, n] : census.subscribers) {
        if (terminal) {
            output::append_terminal_escaped(channel, text);
        } else {
            text += channel;
        }
        text += "\t" + std::to_string(n) + "\n";
    }
    output::write_stdout(text);
    if (!o.sharded) spdlog::info("{} pattern subscription(s)", census.patterns);
    return 0;
}

}  // namespace

CommandSpec channels_command() {
    return {"channels", "List active channels with subscriber counts (the whole server or cluster)",
            [](CLI::App& sub, const GlobalOptions& globals) -> Action {
                auto o = std::make_shared<ChannelsOptions>();
                sub.add_option("pattern", o->pattern, "Only channels matching this glob pattern")
                    ->type_name("PATTERN");
                sub.add_flag("--sharded", o->sharded,
                             "Shard channels (SSUBSCRIBE) instead of ordinary ones");
                sub.add_flag("--cluster", o->cluster,
                             "Require a Redis Cluster (default: detected from the server)");
                sub.add_option("-o,--output", o->output, "text (CHANNEL<TAB>COUNT lines) or json")
                    ->check(CLI::IsMember({"text", "json"}))
                    ->type_name("MODE");
                sub.footer(
                    "Text output: one CHANNEL<TAB>SUBSCRIBERS line per channel, sorted; the\n"
                    "number of pattern subscriptions goes to stderr (and into -o json).\n\n"
                    "Examples:\n"
                    "  amr channels\n"
                    "  amr channels 'orders:*' -o json | jq '.channels[].channel'\n"
                    "  amr channels --sharded");
                return [o, &globals] { return run_channels(*o, globals); };
            }};
}

}  // namespace amr::commands
