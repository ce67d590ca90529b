#include "publish/report.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>

#include "output/json_string.hpp"
#include "output/terminal_escape.hpp"

namespace amr::publish {
namespace {

namespace rj = rapidjson;

// broadcast has its receivers as "total", like its one-message output.
void json_counts(rj::Writer<rj::StringBuffer>& w, const StreamTotals& t, const char* receivers) {
    w.Key("messages");
    w.Uint64(t.messages);
    w.Key(receivers);
    w.Int64(t.receivers);
    w.Key("skipped");
    w.Uint64(t.skipped);
}

// "channels": [{"channel", ("messages",) "receivers"}, ...]
void json_channels(rj::Writer<rj::StringBuffer>& w, const StreamTotals& t, bool messages) {
    w.Key("channels");
    w.StartArray();
    for (size_t i = 0; i < t.channels.size(); ++i) {
        w.StartObject();
        w.Key("channel");
        output::write_json_string(w, t.channels[i]);
        if (messages) {
            w.Key("messages");
            w.Uint64(t.channel_messages[i]);
        }
        w.Key("receivers");
        w.Int64(t.channel_receivers[i]);
        w.EndObject();
    }
    w.EndArray();
}

std::string finish_json(const rj::StringBuffer& buf) {
    return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::string skipped_line(const StreamTotals& t) {
    if (t.skipped == 0) return "";
    return "[!] Invalid lines skipped: " + std::to_string(t.skipped) + "\n";
}

}  // namespace

std::string format_seconds(double seconds) {
    char text[32];
    if (seconds < 1.0) {
        std::snprintf(text, sizeof text, "%.0f ms", seconds * 1000.0);
    } else {
        std::snprintf(text, sizeof text, "%.2f s", seconds);
    }
    return text;
}

std::string format_rate(uint64_t messages, double seconds) {
    if (seconds <= 0.0) return "-";
    return std::to_string(static_cast<uint64_t>(static_cast<double>(messages) / seconds + 0.5));
}

std::string summary_text(const StreamTotals& t, double seconds) {
    std::string to = t.channels.size() == 1
                         ? "'" + output::terminal_escaped(t.channels.front()) + "'"
                         : std::to_string(t.channels.size()) + " channels";
    return "sent " + std::to_string(t.messages) + " message(s) to " + to + " in " +
           format_seconds(seconds) + " (" + format_rate(t.messages, seconds) +
           " messages/s): " + std::to_string(t.receivers) + " receiver(s) in total, " +
           std::to_string(t.skipped) + " invalid line(s) skipped";
}

std::vector<std::string> channel_summary_lines(const StreamTotals& t) {
    std::vector<std::string> lines;
    if (!t.per_message) return lines;
    for (size_t i = 0; i < t.channels.size(); ++i) {
        lines.push_back("  " + output::terminal_escaped(t.channels[i]) + ": " +
                        std::to_string(t.channel_messages[i]) + " message(s), " +
                        std::to_string(t.channel_receivers[i]) + " receiver(s)");
    }
    return lines;
}

std::string progress_text(uint64_t sent, uint64_t confirmed, uint64_t skipped, double seconds) {
    std::string text = std::to_string(sent) + " sent, " + std::to_string(confirmed) +
                       " confirmed (" + format_rate(confirmed, seconds) + " messages/s)";
    if (skipped > 0) text += ", " + std::to_string(skipped) + " skipped";
    return text;
}

std::string publish_lines_output(output::OutputMode mode, const StreamTotals& t) {
    const std::string channel = t.channels.empty() ? "" : t.channels.front();
    switch (mode) {
        case output::OutputMode::json: {
            rj::StringBuffer buf;
            rj::Writer<rj::StringBuffer> w(buf);
            w.StartObject();
            w.Key("channel");
            output::write_json_string(w, channel);
            json_counts(w, t, "receivers");
            w.EndObject();
            return finish_json(buf);
        }
        case output::OutputMode::report:
            return "[>] Published " + std::to_string(t.messages) + " message(s) to channel: '" +
                   channel + "'\n" + "[#] Receivers in total: " + std::to_string(t.receivers) +
                   "\n" + skipped_line(t);
        default:
            return std::to_string(t.receivers) + "\n";
    }
}

std::string broadcast_lines_output(output::OutputMode mode, const StreamTotals& t) {
    switch (mode) {
        case output::OutputMode::json: {
            rj::StringBuffer buf;
            rj::Writer<rj::StringBuffer> w(buf);
            w.StartObject();
            json_channels(w, t, false);
            json_counts(w, t, "total");
            w.EndObject();
            return finish_json(buf);
        }
        case output::OutputMode::report: {
            std::string out = "[>] Broadcast " + std::to_string(t.messages) + " message(s) to " +
                              std::to_string(t.channels.size()) + " channels\n\n";
            for (size_t i = 0; i < t.channels.size(); ++i) {
                out += "  - " + t.channels[i] + ": " + std::to_string(t.channel_receivers[i]) +
                       " receiver(s)\n";
            }
            return out + "\n[#] Total receivers reached: " + std::to_string(t.receivers) + "\n" +
                   skipped_line(t);
        }
        default: {
            std::string out;
            for (size_t i = 0; i < t.channels.size(); ++i) {
                out += t.channels[i] + "\t" + std::to_string(t.channel_receivers[i]) + "\n";
            }
            return out + "total\t" + std::to_string(t.receivers) + "\n";
        }
    }
}

std::string per_channel_output(output::OutputMode mode, const StreamTotals& t) {
    switch (mode) {
        case output::OutputMode::json: {
            rj::StringBuffer buf;
            rj::Writer<rj::StringBuffer> w(buf);
            w.StartObject();
            json_channels(w, t, true);
            json_counts(w, t, "receivers");
            w.EndObject();
            return finish_json(buf);
        }
        case output::OutputMode::report: {
            std::string out = "[>] Published " + std::to_string(t.messages) + " message(s) to " +
                              std::to_string(t.channels.size()) + " channel(s)\n\n";
            for (size_t i = 0; i < t.channels.size(); ++i) {
                out += "  - " + output::terminal_escaped(t.channels[i]) + ": " +
                       std::to_string(t.channel_messages[i]) + " message(s), " +
                       std::to_string(t.channel_receivers[i]) + " receiver(s)\n";
            }
            return out + "\n[#] Receivers in total: " + std::to_string(t.receivers) + "\n" +
                   skipped_line(t);
        }
        default:
            return broadcast_lines_output(mode, t);
    }
}

}  // namespace amr::publish
