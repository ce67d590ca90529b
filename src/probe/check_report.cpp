#include "probe/check_report.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>

#include "output/formatter.hpp"
#include "output/json_string.hpp"
#include "output/terminal_escape.hpp"

namespace amr::probe {
namespace {

const char* const status_words[] = {"OK", "WARNING", "CRITICAL", "CRITICAL"};
const char* const status_names[] = {"ok", "warning", "critical", "failed"};

std::string fixed(double value, const char* format = "%.6f") {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, value);
    return buf;
}

std::string ms(double seconds) {
    return fixed(seconds * 1000, "%.3f") + " ms";
}

const Phases& slowest(const TargetResult& r) {
    return *std::max_element(r.probes.begin(), r.probes.end(),
                             [](const Phases& a, const Phases& b) { return a.rtt < b.rtt; });
}

// The phases of a probe by name, those that happened.
std::vector<std::pair<const char*, double>> named_phases(const Phases& p) {
    std::vector<std::pair<const char*, double>> out = {{"tcp_connect", p.tcp_connect}};
    if (p.tls_handshake) out.emplace_back("tls_handshake", *p.tls_handshake);
    if (p.auth) out.emplace_back("auth", *p.auth);
    out.emplace_back("subscribe", p.subscribe);
    out.emplace_back("publish", p.publish);
    out.emplace_back("receive", p.rtt);
    return out;
}

std::string text_phases(const Phases& p) {
    std::string out = "connect " + ms(p.tcp_connect);
    if (p.tls_handshake) out += ", TLS " + ms(*p.tls_handshake);
    if (p.auth) out += ", auth " + ms(*p.auth);
    out += ", subscribe " + ms(p.subscribe) + ", publish " + ms(p.publish);
    return out;
}

// Hosts come from the server (CLUSTER SLOTS), error texts too: no control bytes, and
// nothing that ends Nagios's text or perfdata label.
std::string nagios_clean(const std::string& text, bool label) {
    std::string out = output::terminal_escaped(text);
    for (char& c : out) {
        if (c == '|' || (label && (c == '\'' || c == '=' || c == ' '))) c = '_';
    }
    return out;
}

std::string perf(const std::string& label, double value, const Thresholds* t = nullptr) {
    std::string out = "'" + nagios_clean(label, true) + "'=" + fixed(value) + "s;";
    if (t && t->warn) out += fixed(*t->warn);
    out += ";";
    if (t && t->critical) out += fixed(*t->critical);
    return out + ";0";
}

// A Prometheus label value: backslash, double quote and newline escaped, valid UTF-8.
std::string label_value(const std::string& text) {
    std::string clean;
    output::append_utf8_sanitised(text, clean);
    std::string out;
    for (char c : clean) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

}  // namespace

RttStats rtt_stats(const TargetResult& r) {
    RttStats s{r.probes.front().rtt, 0, r.probes.front().rtt};
    for (const Phases& p : r.probes) {
        s.min = std::min(s.min, p.rtt);
        s.max = std::max(s.max, p.rtt);
        s.avg += p.rtt;
    }
    s.avg /= static_cast<double>(r.probes.size());
    return s;
}

Status status_of(const TargetResult& r, const Thresholds& t) {
    if (r.error || r.probes.empty()) return Status::failed;
    const double rtt = rtt_stats(r).max;
    if (t.critical && rtt > *t.critical) return Status::critical;
    if (t.warn && rtt > *t.warn) return Status::warning;
    return Status::ok;
}

Status overall_status(const CheckReport& report) {
    Status worst = Status::ok;
    for (const TargetResult& r : report.results) {
        worst = std::max(worst, status_of(r, report.thresholds));
    }
    return worst;
}

std::string format_text(const CheckReport& report) {
    std::string out;
    for (const TargetResult& r : report.results) {
        if (r.probes.empty()) continue;  // its error goes to stderr
        const std::string where = output::terminal_escaped(r.endpoint);
        const std::string channel = output::terminal_escaped(r.channel);
        const Status status = status_of(r, report.thresholds);
        const std::string word = status == Status::failed ? "FAILED" : status_words[int(status)];
        if (r.probes.size() == 1 && !r.error) {
            const Phases& p = r.probes.front();
            out += word + " " + where + " round trip " + ms(p.rtt) + " (" + text_phases(p) +
                   ") on " + channel + "\n";
            continue;
        }
        for (size_t i = 0; i < r.probes.size(); ++i) {
            const Phases& p = r.probes[i];
            out += "probe " + std::to_string(i + 1) + " " + where + " round trip " + ms(p.rtt) +
                   " (" + text_phases(p) + ")\n";
        }
        const RttStats s = rtt_stats(r);
        out += word + " " + where + " " + std::to_string(r.probes.size()) +
               " probe(s), round trip min " + ms(s.min) + ", avg " + ms(s.avg) + ", max " +
               ms(s.max) + " on " + channel + "\n";
    }
    return out;
}

std::string format_json(const CheckReport& report) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    auto number_or_null = [&](const std::optional<double>& v) {
        if (v) {
            w.Double(*v);
        } else {
            w.Null();
        }
    };
    w.StartObject();
    w.Key("status");
    w.String(status_names[int(overall_status(report))]);
    w.Key("warn_s");
    number_or_null(report.thresholds.warn);
    w.Key("critical_s");
    number_or_null(report.thresholds.critical);
    w.Key("results");
    w.StartArray();
    for (const TargetResult& r : report.results) {
        w.StartObject();
        w.Key("endpoint");
        output::write_json_string(w, r.endpoint);
        w.Key("channel");
        output::write_json_string(w, r.channel);
        w.Key("sharded");
        w.Bool(r.sharded);
        w.Key("status");
        w.String(status_names[int(status_of(r, report.thresholds))]);
        w.Key("rtt_s");
        if (r.probes.empty()) {
            w.Null();
        } else {
            const RttStats s = rtt_stats(r);
            w.StartObject();
            w.Key("min");
            w.Double(s.min);
            w.Key("avg");
            w.Double(s.avg);
            w.Key("max");
            w.Double(s.max);
            w.EndObject();
        }
        w.Key("probes");
        w.StartArray();
        for (const Phases& p : r.probes) {
            w.StartObject();
            w.Key("tcp_connect_s");
            w.Double(p.tcp_connect);
            w.Key("tls_handshake_s");
            number_or_null(p.tls_handshake);
            w.Key("auth_s");
            number_or_null(p.auth);
            w.Key("subscribe_s");
            w.Double(p.subscribe);
            w.Key("publish_s");
            w.Double(p.publish);
            w.Key("rtt_s");
            w.Double(p.rtt);
            w.EndObject();
        }
        w.EndArray();
        w.Key("error");
        if (r.error) {
            w.StartObject();
            w.Key("message");
            output::write_json_string(w, r.error->what());
            w.Key("exit_code");
            w.Int(static_cast<int>(exit_code_for(r.error->kind())));
            w.EndObject();
        } else {
            w.Null();
        }
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::string format_nagios(const CheckReport& report) {
    const Status status = overall_status(report);
    const Thresholds& t = report.thresholds;
    std::string text;
    std::string perfdata;
    const TargetResult* worst = nullptr;
    int ok = 0;
    for (const TargetResult& r : report.results) {
        if (r.error) {
            if (!text.empty()) text += "; ";
            text += nagios_clean(r.endpoint + ": " + r.error->what(), false);
            continue;
        }
        ++ok;
        if (!worst || rtt_stats(r).max > rtt_stats(*worst).max) worst = &r;
        const std::string suffix = report.all_shards ? " " + r.endpoint : "";
        const RttStats s = rtt_stats(r);
        perfdata += " " + perf("rtt" + suffix, s.max, &t);
        if (r.probes.size() > 1) {
            perfdata +=
                " " + perf("rtt_avg" + suffix, s.avg) + " " + perf("rtt_min" + suffix, s.min);
        }
        for (const auto& [name, value] : named_phases(slowest(r))) {
            if (std::string_view(name) != "receive") perfdata += " " + perf(name + suffix, value);
        }
    }
    if (worst) {
        if (!text.empty()) text += "; ";
        const double rtt = rtt_stats(*worst).max;
        if (report.all_shards) {
            text += std::to_string(ok) + " of " + std::to_string(report.results.size()) +
                    " shard(s) answered, slowest round trip " + ms(rtt) + " (" +
                    nagios_clean(worst->endpoint, false) + ")";
        } else {
            text += "round trip " + ms(rtt) + " from " + nagios_clean(worst->endpoint, false);
        }
        if (worst->probes.size() > 1) {
            text += ", slowest of " + std::to_string(worst->probes.size()) + " probes";
        }
        if (t.critical && rtt > *t.critical) {
            text += ", over --critical " + ms(*t.critical);
        } else if (t.warn && rtt > *t.warn) {
            text += ", over --warn " + ms(*t.warn);
        }
    }
    std::string line = std::string("AMR ") + status_words[int(status)] + " - " + text;
    if (!perfdata.empty()) line += " |" + perfdata;
    return line + "\n";
}

std::string format_prometheus(const CheckReport& report) {
    auto labels = [&](const TargetResult& r, const std::string& more = {}) {
        std::string inner = report.all_shards ? "shard=\"" + label_value(r.endpoint) + "\"" : "";
        if (!more.empty()) inner += (inner.empty() ? "" : ",") + more;
        return inner.empty() ? std::string() : "{" + inner + "}";
    };
    std::string out;
    auto family = [&](const char* name, const char* help) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
    };
    family("amr_check_up",
           "Whether the probe message came back (1) or a phase of the probe failed (0).");
    for (const TargetResult& r : report.results) {
        out += "amr_check_up" + labels(r) + (r.error ? " 0\n" : " 1\n");
    }
    family("amr_check_status",
           "The check's state as Nagios codes it: 0 ok, 1 over --warn, 2 over --critical or "
           "failed.");
    for (const TargetResult& r : report.results) {
        out += "amr_check_status" + labels(r) + " " +
               std::to_string(nagios_exit_code(status_of(r, report.thresholds))) + "\n";
    }
    family("amr_check_rtt_seconds",
           "Round trip of the probe message, PUBLISH sent to the message received (the slowest "
           "of --count probes).");
    for (const TargetResult& r : report.results) {
        if (!r.error)
            out += "amr_check_rtt_seconds" + labels(r) + " " + fixed(rtt_stats(r).max) + "\n";
    }
    family("amr_check_phase_seconds",
           "Time of each phase of the slowest probe: tcp_connect, tls_handshake, auth, "
           "subscribe (confirmed), publish (acknowledged), receive (the message back).");
    for (const TargetResult& r : report.results) {
        if (r.error) continue;
        for (const auto& [name, value] : named_phases(slowest(r))) {
            out += "amr_check_phase_seconds" + labels(r, std::string("phase=\"") + name + "\"") +
                   " " + fixed(value) + "\n";
        }
    }
    return out;
}

int nagios_exit_code(Status status) {
    return status == Status::failed ? 2 : static_cast<int>(status);
}

std::string nagios_unknown(const std::string& message) {
    return "AMR UNKNOWN - " + nagios_clean(message, false) + "\n";
}

}  // namespace amr::probe
