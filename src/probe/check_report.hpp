// amr check's results and the four ways of printing them: text for a person, one JSON
// object, a Nagios plugin's status line with perfdata, and the Prometheus text format
// (for node_exporter's textfile collector). Pure functions of the results.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "error.hpp"
#include "probe/check_probe.hpp"

namespace amr::probe {

// In Nagios's order and with its exit codes (failed: a phase failed; Nagios says CRITICAL).
enum class Status { ok = 0, warning = 1, critical = 2, failed = 3 };

struct Thresholds {
    std::optional<double> warn;  // seconds, on the round trip of the slowest probe
    std::optional<double> critical;
};

struct TargetResult {
    std::string endpoint;
    std::string channel;
    bool sharded = false;
    std::vector<Phases> probes;  // those that completed
    std::optional<Error> error;  // the failure that ended the series
};

struct CheckReport {
    std::vector<TargetResult> results;
    Thresholds thresholds;
    bool all_shards = false;
};

struct RttStats {
    double min = 0;
    double avg = 0;
    double max = 0;
};
RttStats rtt_stats(const TargetResult& result);  // of a result with probes

Status status_of(const TargetResult& result, const Thresholds& thresholds);
Status overall_status(const CheckReport& report);

std::string format_text(const CheckReport& report);
std::string format_json(const CheckReport& report);
std::string format_nagios(const CheckReport& report);
std::string format_prometheus(const CheckReport& report);

// Nagios's exit code for a status (failed is CRITICAL).
int nagios_exit_code(Status status);
// The status line of a check that could not run (a usage Error): UNKNOWN, exit 3.
std::string nagios_unknown(const std::string& message);

}  // namespace amr::probe
