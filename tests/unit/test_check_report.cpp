#include <doctest/doctest.h>

#include <string>

#include "probe/check_report.hpp"

using namespace amr;
using namespace amr::probe;

namespace {

Phases phases(double rtt, bool tls) {
    Phases p;
    p.tcp_connect = 0.001;
    if (tls) {
        p.tls_handshake = 0.002;
        p.auth = 0.0005;
    }
    p.subscribe = 0.0003;
    p.publish = 0.0002;
    p.rtt = rtt;
    return p;
}

TargetResult result(std::string endpoint, std::vector<Phases> probes) {
    return {std::move(endpoint), "amr:check:x", false, std::move(probes), std::nullopt};
}

}  // namespace

TEST_CASE("check: thresholds judge the slowest probe") {
    const TargetResult r = result("h:1", {phases(0.001, false), phases(0.003, false)});
    CHECK(status_of(r, {}) == Status::ok);
    CHECK(status_of(r, {0.002, std::nullopt}) == Status::warning);
    CHECK(status_of(r, {0.0025, 0.004}) == Status::warning);
    CHECK(status_of(r, {0.001, 0.002}) == Status::critical);
    CHECK(status_of(r, {0.01, 0.02}) == Status::ok);
    const RttStats s = rtt_stats(r);
    CHECK(s.min == doctest::Approx(0.001));
    CHECK(s.avg == doctest::Approx(0.002));
    CHECK(s.max == doctest::Approx(0.003));
    TargetResult failed = result("h:2", {});
    failed.error = Error(ErrorKind::connection, "refused");
    CHECK(status_of(failed, {}) == Status::failed);
    CHECK(nagios_exit_code(Status::failed) == 2);
}

TEST_CASE("check: Nagios line with perfdata in seconds and thresholds on rtt") {
    CheckReport report{{result("h:1", {phases(0.000412, true)})}, {0.02, 0.1}, false};
    CHECK(format_nagios(report) ==
          "AMR OK - round trip 0.412 ms from h:1 | 'rtt'=0.000412s;0.020000;0.100000;0 "
          "'tcp_connect'=0.001000s;;;0 'tls_handshake'=0.002000s;;;0 'auth'=0.000500s;;;0 "
          "'subscribe'=0.000300s;;;0 'publish'=0.000200s;;;0\n");
    report.thresholds = {0.0001, 0.0002};
    CHECK(format_nagios(report).starts_with(
        "AMR CRITICAL - round trip 0.412 ms from h:1, over --critical 0.200 ms |"));
}

TEST_CASE("check: Nagios text from the server cannot end the text or forge perfdata") {
    TargetResult bad = result("h'=|:1", {});
    bad.error = Error(ErrorKind::failure, "ERR \x1b[2J | 'x'=1");
    CheckReport report{{bad}, {}, true};
    const std::string line = format_nagios(report);
    CHECK(line == "AMR CRITICAL - h'=_:1: ERR \\x1b[2J _ 'x'=1\n");
}

TEST_CASE("check: Prometheus families have HELP and TYPE, shard labels are escaped") {
    CheckReport report{{result("a\"b\\c\n:1", {phases(0.5, false)})}, {}, true};
    const std::string text = format_prometheus(report);
    CHECK(text.find("# TYPE amr_check_up gauge\namr_check_up{shard=\"a\\\"b\\\\c\\n:1\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("amr_check_phase_seconds{shard=\"a\\\"b\\\\c\\n:1\",phase=\"receive\"} "
                    "0.500000\n") != std::string::npos);
    CHECK(text.find("phase=\"tls_handshake\"") == std::string::npos);
}
