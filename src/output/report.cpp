#include "output/report.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "error.hpp"
#include "message/json_check.hpp"
#include "output/json_string.hpp"
#include "output/terminal_escape.hpp"
#include "util/saturating.hpp"

namespace amr::output {

namespace rj = rapidjson;

namespace {

// The report is for a person: a channel name or a message from a file may carry control
// bytes that a terminal would obey, so they are written as escapes (the JSON's own line
// breaks stay).
std::string message_content(const std::string& message) {
    std::string out = "\n[i] Message content:\n";
    append_terminal_escaped(message::indent_json(message), out, Newlines::keep);
    return out + "\n";
}

}  // namespace

OutputMode parse_output_mode(const std::string& name) {
    if (name == "auto") return OutputMode::automatic;
    if (name == "report") return OutputMode::report;
    if (name == "count") return OutputMode::count;
    if (name == "json") return OutputMode::json;
    throw usage_error("--output: unknown mode '" + name + "'", "modes: auto, report, count, json");
}

OutputMode resolve_output_mode(OutputMode mode, bool terminal) {
    if (mode != OutputMode::automatic) return mode;
    return terminal ? OutputMode::report : OutputMode::count;
}

std::string publish_output(OutputMode mode, const std::string& channel, long long receivers,
                           const std::string& message) {
    switch (mode) {
        case OutputMode::json: {
            rj::StringBuffer buf;
            rj::Writer<rj::StringBuffer> w(buf);
            w.StartObject();
            w.Key("channel");
            write_json_string(w, channel);
            w.Key("receivers");
            w.Int64(receivers);
            w.EndObject();
            return std::string(buf.GetString(), buf.GetSize()) + "\n";
        }
        case OutputMode::report:
            return "[>] Published to channel: '" + terminal_escaped(channel) + "'\n" +
                   "[#] Active subscribers: " + std::to_string(receivers) + "\n" +
                   message_content(message);
        default:
            return std::to_string(receivers) + "\n";
    }
}

std::string broadcast_output(OutputMode mode, const std::vector<ChannelCount>& counts,
                             const std::string& message) {
    long long total = 0;
    for (const auto& c : counts) total = util::add_saturating(total, c.second);
    switch (mode) {
        case OutputMode::json: {
            rj::StringBuffer buf;
            rj::Writer<rj::StringBuffer> w(buf);
            w.StartObject();
            w.Key("channels");
            w.StartArray();
            for (const auto& [channel, n] : counts) {
                w.StartObject();
                w.Key("channel");
                write_json_string(w, channel);
                w.Key("receivers");
                w.Int64(n);
                w.EndObject();
            }
            w.EndArray();
            w.Key("total");
            w.Int64(total);
            w.EndObject();
            return std::string(buf.GetString(), buf.GetSize()) + "\n";
        }
        case OutputMode::report: {
            std::string names;
            for (const auto& c : counts) {
                names += (names.empty() ? "" : ", ") + terminal_escaped(c.first);
            }
            std::string out = "[>] Broadcast to " + std::to_string(counts.size()) + " channels\n" +
                              "Channels: " + names + "\n\n";
            for (const auto& [channel, n] : counts) {
                out += "  - " + terminal_escaped(channel) + ": " + std::to_string(n) +
                       " subscriber(s)\n";
            }
            out += "\n[#] Total subscribers reached: " + std::to_string(total) + "\n";
            return out + message_content(message);
        }
        default: {
            std::string out;
            for (const auto& [channel, n] : counts) {
                out += channel + "\t" + std::to_string(n) + "\n";
            }
            return out + "total\t" + std::to_string(total) + "\n";
        }
    }
}

}  // namespace amr::output
