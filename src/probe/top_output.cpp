#include "probe/top_output.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>

#include "output/formatter.hpp"
#include "output/json_string.hpp"
#include "output/terminal_escape.hpp"
#include "util/base64.hpp"

namespace amr::probe {

std::string top_json_line(const std::vector<ChannelRow>& rows, double seconds, size_t limit) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("interval_s");
    w.Double(seconds);
    w.Key("channels");
    w.StartArray();
    std::string scratch;
    size_t shown = 0;
    for (const ChannelRow& r : rows) {
        if (limit != 0 && shown++ == limit) break;
        w.StartObject();
        w.Key("channel");
        output::write_json_string(w, r.channel);
        scratch.clear();
        if (!output::append_utf8_sanitised(r.channel, scratch)) {
            w.Key("channel_base64");
            const std::string encoded = util::base64(r.channel);
            w.String(encoded.data(), static_cast<rapidjson::SizeType>(encoded.size()));
        }
        if (r.other) {
            w.Key("other");
            w.Bool(true);
        }
        w.Key("rate");
        w.Double(r.rate);
        w.Key("bytes_rate");
        w.Double(r.bytes_rate);
        w.Key("total");
        w.Uint64(r.total);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::string fit_columns(const std::string& text, int columns) {
    size_t i = 0;
    for (int used = 0; i < text.size() && used < columns; ++used) {
        const size_t len = output::utf8_sequence(text, i);
        i += len == 0 ? 1 : len;
    }
    return text.substr(0, i);
}

std::string top_table(const std::vector<ChannelRow>& rows, const TableFrame& frame, size_t limit) {
    const int width = std::max(frame.width, 1);
    std::string out = "\x1b[H";
    auto line = [&](const std::string& text) {
        out += fit_columns(text, width);
        out += "\x1b[K\r\n";
    };
    double rate = 0;
    double bytes_rate = 0;
    for (const ChannelRow& r : rows) {
        rate += r.rate;
        bytes_rate += r.bytes_rate;
    }
    char buf[128];
    std::snprintf(buf, sizeof buf, "  %zu channel(s), %.1f msg/s, %.0f bytes/s", rows.size(), rate,
                  bytes_rate);
    line(output::terminal_escaped(frame.title) + buf);
    line("      MSG/S       BYTES/S         TOTAL  CHANNEL");
    // Two lines of header; the last line of the screen stays empty (no scrolling).
    int room = std::max(frame.height - 3, 0);
    if (limit != 0 && static_cast<size_t>(room) > limit) room = static_cast<int>(limit);
    for (const ChannelRow& r : rows) {
        if (room-- <= 0) break;
        std::snprintf(buf, sizeof buf, "%11.1f %13.0f %13llu  ", r.rate, r.bytes_rate,
                      static_cast<unsigned long long>(r.total));
        line(buf + output::terminal_escaped(r.channel));
    }
    out += "\x1b[J";
    return out;
}

}  // namespace amr::probe
