#include "output/formatter.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "error.hpp"
#include "message/json_check.hpp"
#include "message/json_number.hpp"
#include "output/template.hpp"
#include "output/terminal_escape.hpp"
#include "util/base64.hpp"

namespace amr::output {

namespace rj = rapidjson;

namespace {

using Writer = rj::Writer<rj::StringBuffer>;

// Appends `text` as a JSON string: quoted, escaped, invalid UTF-8 replaced by U+FFFD.
// Returns whether the text was valid UTF-8 (the string then decodes to it exactly).
bool append_json_string(std::string_view text, std::string& out, std::string& scratch) {
    scratch.clear();
    const bool valid = append_utf8_sanitised(text, scratch);
    out += '"';
    size_t start = 0;
    for (size_t i = 0; i < scratch.size(); ++i) {
        const auto c = static_cast<unsigned char>(scratch[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(scratch, start, i - start);
        start = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default: {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
                out += escaped;
            }
        }
    }
    out.append(scratch, start, scratch.size() - start);
    out += '"';
    return valid;
}

bool is_json_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// One JSON object per line; every line is valid JSON whatever the payload's bytes. The
// line is written by hand: a generic writer costs more than the server takes to send.
// The exact round trip (publish --envelope): "data" is the payload itself when it is JSON
// written as it is, else its text as a JSON string; whenever "data" alone would not give
// the payload's bytes back, "data_base64" has them (and "channel_base64" the channel's
// when it is not UTF-8).
class JsonFormatter : public Formatter {
  public:
    void append(const Received& m, std::string& out) override {
        out += m.is_pattern   ? "{\"type\":\"pmessage\",\"pattern\":"
               : m.is_sharded ? "{\"type\":\"smessage\""
                              : "{\"type\":\"message\"";
        if (m.is_pattern) append_json_string(m.pattern, out, scratch_);
        out += ",\"channel\":";
        if (!append_json_string(m.channel, out, scratch_)) {
            out += ",\"channel_base64\":\"";
            util::append_base64(m.channel, out);
            out += '"';
        }
        out += ",\"data\":";
        if (!append_json_payload(m.payload, out)) {
            out += ",\"data_base64\":\"";
            util::append_base64(m.payload, out);
            out += '"';
        }
        out += ",\"received_at\":\"";
        out += stamp_.format(m.received_at);
        out += "\"}\n";
    }

  private:
    // Appends "data": the payload as a JSON value when it is JSON, else as a JSON string.
    // Returns whether that gives the payload's bytes back exactly.
    bool append_json_payload(std::string_view payload, std::string& out) {
        if (!payload.empty()) {
            // A JSON string would come back as its text, and surrounding whitespace
            // would not come back at all.
            const bool bare = payload.front() != '"' && !is_json_space(payload.front()) &&
                              !is_json_space(payload.back());
            // Plain JSON on one line goes in as it is.
            // (Two memchr scans: find_first_of would call memchr once per byte.)
            if (payload.find('\n') == std::string_view::npos &&
                payload.find('\r') == std::string_view::npos && message::plainly_valid(payload)) {
                out += payload;
                return bare;
            }
            // Other JSON is re-written compact, which also removes line breaks.
            if (message::compact_json(payload, value_)) {
                const std::string_view compact(value_.GetString(), value_.GetSize());
                out += compact;
                return bare && compact == payload;
            }
        }
        return append_json_string(payload, out, scratch_);
    }

    // received_at, with the date and time formatted once a second.
    class Stamp {
      public:
        const std::string& format(util::SystemTime t) {
            const auto since = t.time_since_epoch();
            const auto secs = std::chrono::floor<std::chrono::seconds>(since);
            if (secs.count() != second_) {
                second_ = secs.count();
                prefix_ = util::utc_iso_milli(t).substr(0, 19);  // up to the seconds
            }
            const auto ms = static_cast<int>(
                std::chrono::duration_cast<std::chrono::milliseconds>(since - secs).count());
            const char tail[] = {'.', static_cast<char>('0' + ms / 100),
                                 static_cast<char>('0' + ms / 10 % 10),
                                 static_cast<char>('0' + ms % 10), 'Z'};
            text_ = prefix_;
            text_.append(tail, sizeof tail);
            return text_;
        }

      private:
        long long second_ = -1;
        std::string prefix_;
        std::string text_;
    };

    rj::StringBuffer value_;
    std::string scratch_;
    Stamp stamp_;
};

class RawFormatter : public Formatter {
  public:
    void append(const Received& m, std::string& out) override {
        out.append(m.payload);
        out += '\n';
    }
};

// Text of a JSON value as the lab's f-strings show it: strings bare, the rest as JSON.
std::string display(const rj::Value& v) {
    if (auto number = message::raw_number(v)) return std::string(*number);
    if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
    rj::StringBuffer buf;
    message::ExactWriter<Writer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

// The lab's subscriber window, as text.
class PrettyFormatter : public Formatter {
  public:
    explicit PrettyFormatter(Display display) : colour_(display.colour), escape_(display.escape) {}

    void append(const Received& m, std::string& out) override {
        std::string time = util::local_strftime(m.received_at, "[%H:%M:%S]");
        rj::Document doc;
        const bool is_object = !message::parse_json(m.payload, doc) && doc.IsObject();
        const std::string channel = shown(m.channel);
        const std::string pattern = shown(m.pattern);

        if (!is_object) {
            out += paint(time, dim) + " ";
            if (m.is_pattern) {
                out += "Pattern '" + paint(pattern, bold) + "': " + shown(m.payload) + "\n";
            } else {
                out += paint(channel, bold) + ": " + shown(m.payload) + "\n";
            }
            return;
        }
        const auto event = doc.FindMember("event");
        const std::string event_name =
            event == doc.MemberEnd() ? "unknown" : shown(display(event->value));
        if (m.is_pattern) {
            const std::string rule(50, '-');
            out += paint(time, dim) + " Pattern '" + paint(pattern, bold) + "' matched '" +
                   paint(channel, bold) + "'\n";
            out += rule + "\n";
            out += "Event: " + paint(event_name, cyan) + "\n";
            out += "Full message: " + shown(message::indent_json(m.payload), Newlines::keep) + "\n";
            out += rule + "\n";
            return;
        }
        std::string rule;
        for (int i = 0; i < 50; ++i) rule += "\u2500";
        out += paint(time, dim) + " Message on '" + paint(channel, bold) + "'\n";
        out += rule + "\n";
        out += "Event: " + paint(event_name, cyan) + "\n";
        static const std::pair<const char*, const char*> fields[] = {
            {"order_id", "Order ID: "},    {"customer", "Customer: "},
            {"total", "Total: $"},         {"tracking_number", "Tracking: "},
            {"product_name", "Product: "}, {"current_stock", "Stock Level: "},
            {"message", "Message: "},
        };
        for (const auto& [key, label] : fields) {
            auto it = doc.FindMember(key);
            if (it != doc.MemberEnd()) out += std::string(label) + shown(display(it->value)) + "\n";
        }
        out += rule + "\n";
    }

  private:
    static constexpr const char* dim = "\033[2m";
    static constexpr const char* bold = "\033[1m";
    static constexpr const char* cyan = "\033[36m";

    std::string paint(const std::string& text, const char* style) const {
        if (!colour_) return text;
        return std::string(style) + text + "\033[0m";
    }

    // Text from the message as it may go out: control bytes escaped on a terminal, and
    // valid UTF-8 in any case.
    std::string shown(std::string_view text, Newlines newlines = Newlines::escape) const {
        std::string out;
        if (escape_) {
            append_terminal_escaped(text, out, newlines);
        } else {
            append_utf8_sanitised(text, out);
        }
        return out;
    }

    bool colour_;
    bool escape_;
};

}  // namespace

Format parse_format(const std::string& name) {
    if (name == "pretty") return Format::pretty;
    if (name == "json") return Format::json;
    if (name == "raw") return Format::raw;
    if (name == "template") return Format::template_;
    throw usage_error("--format: unknown format '" + name + "'",
                      "formats: pretty, json, raw, template");
}

bool append_utf8_sanitised(std::string_view text, std::string& out) {
    bool valid = true;
    size_t i = 0;
    while (i < text.size()) {
        // Runs of ASCII go in one piece: most channel names and payloads are all ASCII.
        size_t ascii = i;
        while (ascii < text.size() && static_cast<unsigned char>(text[ascii]) < 0x80) ++ascii;
        if (ascii > i) {
            out.append(text.data() + i, ascii - i);
            i = ascii;
            continue;
        }
        size_t len = utf8_sequence(text, i);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            valid = false;
            ++i;
        } else {
            out.append(text.data() + i, len);
            i += len;
        }
    }
    return valid;
}

std::unique_ptr<Formatter> make_formatter(Format format, Display display,
                                          std::string_view template_text) {
    switch (format) {
        case Format::json:
            return std::make_unique<JsonFormatter>();
        case Format::raw:
            return std::make_unique<RawFormatter>();
        case Format::template_:
            return make_template_formatter(template_text, display.escape);
        case Format::pretty:
            break;
    }
    return std::make_unique<PrettyFormatter>(display);
}

}  // namespace amr::output
