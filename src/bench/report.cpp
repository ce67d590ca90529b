#include "bench/report.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>

#include "output/json_string.hpp"
#include "output/terminal_escape.hpp"

namespace amr::bench {
namespace {

std::string printf_string(const char* format, auto... args) {
    char buf[512];
    std::snprintf(buf, sizeof buf, format, args...);
    return buf;
}

}  // namespace

double rate_of(uint64_t count, double seconds) {
    return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

double to_us(uint64_t ns) {
    return static_cast<double>(ns) / 1000.0;
}

std::string format_latency(uint64_t ns) {
    if (ns < 10'000) return printf_string("%.2f us", ns / 1e3);
    if (ns < 1'000'000) return printf_string("%.0f us", ns / 1e3);
    if (ns < 1'000'000'000) return printf_string("%.2f ms", ns / 1e6);
    return printf_string("%.2f s", ns / 1e9);
}

std::string report_text(const Report& r) {
    const RunShape& s = r.shape;
    const Totals& t = r.totals;
    std::string out;
    const std::string endpoint = output::terminal_escaped(r.endpoint);
    const std::string prefix = output::terminal_escaped(s.prefix);
    out +=
        printf_string("amr bench: %s (Redis %s%s%s)\n", endpoint.c_str(), r.server_version.c_str(),
                      r.tls ? ", TLS" : "", r.cluster ? ", cluster" : "");
    std::string limit = s.messages > 0 ? std::to_string(s.messages) + " messages"
                                       : printf_string("%.3g s", s.duration_s);
    out += printf_string(
        "  %u publishers, %u subscribers, %u channels (%s:0..), %zu bytes, rate %s, window %zu, "
        "%s, %u threads%s%s\n",
        s.publishers, s.subscribers, s.channels, prefix.c_str(), s.size,
        s.rate > 0 ? printf_string("%g/s", s.rate).c_str() : "max", s.window, limit.c_str(),
        s.threads, s.pattern ? ", PSUBSCRIBE" : "", s.sharded ? ", sharded" : "");
    out += printf_string("  published  %llu in %.2f s: %.0f msg/s\n",
                         static_cast<unsigned long long>(t.published), r.publish_seconds,
                         rate_of(t.published, r.publish_seconds));
    out += printf_string("  delivered  %llu of %llu in %.2f s: %.0f msg/s\n",
                         static_cast<unsigned long long>(t.delivered),
                         static_cast<unsigned long long>(t.expected), r.deliver_seconds,
                         rate_of(t.delivered, r.deliver_seconds));
    out += printf_string(
        "  lost %llu, duplicates %llu, reorders %llu, rejected %llu\n",
        static_cast<unsigned long long>(t.lost), static_cast<unsigned long long>(t.duplicates),
        static_cast<unsigned long long>(t.reorders), static_cast<unsigned long long>(t.rejected));
    if (t.disconnects == 0) {
        out += "  disconnects 0\n";
    } else {
        out += printf_string("  disconnects %llu, by the pubsub output-buffer limit: %llu (%s)\n",
                             static_cast<unsigned long long>(t.disconnects),
                             static_cast<unsigned long long>(t.buffer_limit_disconnects),
                             t.buffer_limit_from_server
                                 ? "INFO stats client_output_buffer_limit_disconnections"
                                 : "closed by the server while messages were arriving");
    }
    const Histogram& h = r.latency;
    if (h.count() == 0) {
        out += "  latency: no message received\n";
    } else {
        out += printf_string(
            "  latency%s: p50 %s, p90 %s, p99 %s, p99.9 %s, p99.99 %s, max %s\n",
            s.rate > 0 ? " (from the planned send time)" : "",
            format_latency(h.percentile(0.50)).c_str(), format_latency(h.percentile(0.90)).c_str(),
            format_latency(h.percentile(0.99)).c_str(), format_latency(h.percentile(0.999)).c_str(),
            format_latency(h.percentile(0.9999)).c_str(), format_latency(h.max()).c_str());
    }
    return out;
}

std::string report_json(const Report& r) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    const Totals& t = r.totals;
    const RunShape& s = r.shape;
    auto u64 = [&](const char* key, uint64_t v) {
        w.Key(key);
        w.Uint64(v);
    };
    auto dbl = [&](const char* key, double v) {
        w.Key(key);
        w.Double(v);
    };
    w.StartObject();
    u64("published", t.published);
    u64("delivered", t.delivered);
    u64("expected", t.expected);
    u64("lost", t.lost);
    u64("duplicates", t.duplicates);
    u64("reorders", t.reorders);
    u64("rejected", t.rejected);
    u64("disconnects", t.disconnects);
    u64("buffer_limit_disconnects", t.buffer_limit_disconnects);
    w.Key("buffer_limit_source");
    w.String(t.buffer_limit_from_server ? "server" : "estimate");
    u64("receivers", t.receivers);
    dbl("publish_rate", rate_of(t.published, r.publish_seconds));
    dbl("deliver_rate", rate_of(t.delivered, r.deliver_seconds));
    dbl("publish_seconds", r.publish_seconds);
    dbl("deliver_seconds", r.deliver_seconds);
    const Histogram& h = r.latency;
    w.Key("latency");
    w.StartObject();
    w.Key("unit");
    w.String("us");
    u64("count", h.count());
    dbl("p50", to_us(h.percentile(0.50)));
    dbl("p90", to_us(h.percentile(0.90)));
    dbl("p99", to_us(h.percentile(0.99)));
    dbl("p99.9", to_us(h.percentile(0.999)));
    dbl("p99.99", to_us(h.percentile(0.9999)));
    dbl("max", to_us(h.max()));
    dbl("mean", h.mean() / 1000.0);
    w.Key("from");
    w.String(s.rate > 0 ? "planned" : "sent");
    w.EndObject();
    w.Key("server_version");
    output::write_json_string(w, r.server_version);
    w.Key("endpoint");
    output::write_json_string(w, r.endpoint);
    w.Key("tls");
    w.Bool(r.tls);
    w.Key("cluster");
    w.Bool(r.cluster);
    w.Key("options");
    w.StartObject();
    u64("publishers", s.publishers);
    u64("subscribers", s.subscribers);
    u64("channels", s.channels);
    u64("subscribers_per_channel", s.subscribers_per_channel);
    u64("size", s.size);
    dbl("rate", s.rate);
    u64("window", s.window);
    dbl("duration", s.duration_s);
    u64("messages", s.messages);
    dbl("warmup", s.warmup_s);
    w.Key("pattern");
    w.Bool(s.pattern);
    w.Key("sharded");
    w.Bool(s.sharded);
    u64("threads", s.threads);
    w.Key("prefix");
    output::write_json_string(w, s.prefix);
    w.EndObject();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::string progress_line(const Sample& s) {
    return printf_string(
        "%s%5.0f s  published %llu/s  delivered %llu/s  p99 %s  lost %llu  "
        "disconnects %llu",
        s.warmup ? "warm-up " : "", s.elapsed_s,
        static_cast<unsigned long long>(s.published_in_second),
        static_cast<unsigned long long>(s.delivered_in_second),
        s.p99_ns ? format_latency(s.p99_ns).c_str() : "-", static_cast<unsigned long long>(s.lost),
        static_cast<unsigned long long>(s.disconnects));
}

std::string csv_header() {
    return "elapsed_s,published,delivered,publish_rate,deliver_rate,p99_us,lost,disconnects,"
           "warmup\n";
}

std::string csv_row(const Sample& s) {
    return printf_string("%.3f,%llu,%llu,%llu,%llu,%.3f,%llu,%llu,%d\n", s.elapsed_s,
                         static_cast<unsigned long long>(s.published),
                         static_cast<unsigned long long>(s.delivered),
                         static_cast<unsigned long long>(s.published_in_second),
                         static_cast<unsigned long long>(s.delivered_in_second), to_us(s.p99_ns),
                         static_cast<unsigned long long>(s.lost),
                         static_cast<unsigned long long>(s.disconnects), s.warmup ? 1 : 0);
}

}  // namespace amr::bench
