// amr check: a monitoring probe. Connects, subscribes to a fresh channel, publishes on a
// second connection and times the message's way back, phase by phase; judges the round
// trip against --warn and --critical; prints text, JSON, a Nagios plugin's output or the
// Prometheus text format.
#include <spdlog/spdlog.h>

#include "commands/command.hpp"
#include "output/stdout_sink.hpp"
#include "probe/check_report.hpp"
#include "util/duration.hpp"
#include "util/whole_number.hpp"

namespace amr::commands {
namespace {

struct CheckOptions {
    std::optional<std::string> channel;
    int count = 1;
    std::optional<std::string> warn;
    std::optional<std::string> critical;
    std::string output = "text";
    bool all_shards = false;
};

std::optional<double> threshold(const std::optional<std::string>& text, const char* option) {
    if (!text) return std::nullopt;
    return std::chrono::duration<double>(util::parse_duration_us(*text, option)).count();
}

probe::Thresholds thresholds_of(const CheckOptions& o) {
    probe::Thresholds t{threshold(o.warn, "--warn"), threshold(o.critical, "--critical")};
    if (t.warn && t.critical && *t.warn > *t.critical) {
        throw usage_error("--warn is longer than --critical",
                          "a round trip over --warn is a warning, over --critical critical");
    }
    if (o.channel && o.all_shards) {
        throw usage_error("--channel cannot be combined with --all-shards",
                          "--all-shards makes a channel for each shard, with its hash tag");
    }
    return t;
}

probe::TargetResult probe_target(const probe::CheckTarget& target, int count) {
    probe::TargetResult r{target.endpoint(), target.channel, target.sharded, {}, std::nullopt};
    try {
        for (int i = 1; i <= count; ++i) r.probes.push_back(probe::run_probe(target, i));
    } catch (const Error& e) {
        r.error = e;
    }
    return r;
}

// Text and JSON: amr's exit codes; 6 when a round trip is over --critical.
int finish(const CheckOptions& o, const probe::CheckReport& report) {
    for (const auto& r : report.results) {
        if (!r.error) continue;
        spdlog::error("{}", r.error->what());
        if (!r.error->hint().empty()) spdlog::info("hint: {}", r.error->hint());
    }
    for (const auto& r : report.results) {
        if (r.error) return static_cast<int>(exit_code_for(r.error->kind()));
    }
    const probe::Status status = probe::overall_status(report);
    if (status == probe::Status::critical) {
        spdlog::error("round trip over --critical {}", *o.critical);
        return static_cast<int>(ExitCode::over_critical);
    }
    if (status == probe::Status::warning) spdlog::warn("round trip over --warn {}", *o.warn);
    return 0;
}

int run_check(const CheckOptions& o, const GlobalOptions& globals) {
    const bool nagios = o.output == "nagios";
    probe::CheckReport report;
    try {
        report.thresholds = thresholds_of(o);
        report.all_shards = o.all_shards;
        const auto settings = config::load_settings(globals.connection);
        std::vector<probe::CheckTarget> targets;
        try {
            targets = probe::check_targets(settings, o.channel, o.all_shards);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::usage) throw;
            // Where the cluster could not be asked: one failed result for the server.
            report.results.push_back({settings.host + ":" + std::to_string(settings.port),
                                      o.channel.value_or(""),
                                      o.all_shards,
                                      {},
                                      e});
        }
        for (const auto& target : targets) report.results.push_back(probe_target(target, o.count));
    } catch (const Error& e) {
        if (!nagios || e.kind() != ErrorKind::usage) throw;
        // Nagios: a check that cannot run is UNKNOWN.
        spdlog::error("{}", e.what());
        output::write_stdout(probe::nagios_unknown(e.what()));
        return 3;
    }
    if (nagios) {
        for (const auto& r : report.results) {
            if (r.error) spdlog::error("{}", r.error->what());
        }
        output::write_stdout(probe::format_nagios(report));
        return probe::nagios_exit_code(probe::overall_status(report));
    }
    if (o.output == "json") {
        output::write_stdout(probe::format_json(report));
    } else if (o.output == "prometheus") {
        output::write_stdout(probe::format_prometheus(report));
    } else {
        output::write_stdout(probe::format_text(report));
    }
    return finish(o, report);
}

}  // namespace

CommandSpec check_command() {
    return {"check",
            "Probe a server: subscribe, publish, time the message's way back (for CI and "
            "monitoring)",
            [](CLI::App& sub, const GlobalOptions& globals) -> Action {
                auto o = std::make_shared<CheckOptions>();
                sub.add_option("--channel", o->channel,
                               "Probe on CHANNEL (default: a fresh amr:check:<random>)")
                    ->type_name("CHANNEL");
                sub.add_option("--count", o->count,
                               "Run N probes, one after another, each on fresh connections "
                               "(default 1); thresholds judge the slowest")
                    ->check(util::whole_number(1, 100000))
                    ->type_name("N");
                sub.add_option("--warn", o->warn,
                               "A round trip longer than DURATION (0.5ms, 20ms, 1s) is a "
                               "warning: Nagios WARNING (1); text and json say so on stderr "
                               "and exit 0")
                    ->type_name("DURATION");
                sub.add_option("--critical", o->critical,
                               "A round trip longer than DURATION is critical: Nagios CRITICAL "
                               "(2); text, json and prometheus exit 6")
                    ->type_name("DURATION");
                sub.add_option("-o,--output", o->output,
                               "text, json, nagios (a plugin's status line, perfdata and exit "
                               "codes 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) or prometheus "
                               "(text format for node_exporter's textfile collector)")
                    ->check(CLI::IsMember({"text", "json", "nagios", "prometheus"}))
                    ->type_name("MODE");
                sub.add_flag("--all-shards", o->all_shards,
                             "Redis Cluster: probe every primary with SSUBSCRIBE and SPUBLISH "
                             "on a channel in its slots; one result per shard");
                sub.footer(
                    "Phases: TCP connect, TLS handshake, auth, subscribe confirmed, publish "
                    "acknowledged, message received; the round trip is PUBLISH sent to the "
                    "message received. The message must come back within --connect-timeout.\n\n"
                    "Examples:\n"
                    "  amr check\n"
                    "  amr check --count 5 -o json\n"
                    "  amr check -o nagios --warn 20ms --critical 100ms\n"
                    "  amr check -o prometheus --all-shards > /var/lib/node_exporter/amr.prom.$$;"
                    " mv /var/lib/node_exporter/amr.prom.$$ /var/lib/node_exporter/amr.prom");
                return [o, &globals] { return run_check(*o, globals); };
            }};
}

}  // namespace amr::commands
