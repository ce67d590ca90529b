#include "output/formatter.hpp"

#include <rapidjson/document.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "error.hpp"
#include "message/json_check.hpp"
#include "output/template.hpp"

namespace amr::output {

namespace rj = rapidjson;

namespace {

constexpr unsigned parse_flags = rj::kParseFullPrecisionFlag | rj::kParseValidateEncodingFlag;

// Length of the valid UTF-8 sequence at s[i], or 0 when the byte there starts none.
size_t utf8_sequence(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    if (c < 0x80) return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;  // no UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (size_t k = 2; k < len; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    }
    return len;
}

std::string base64(std::string_view in) {
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                     (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        out += table[v >> 18];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += table[v & 63];
    }
    if (i < in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += table[v >> 18];
        out += table[(v >> 12) & 63];
        out += i + 1 < in.size() ? table[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

using Writer = rj::Writer<rj::StringBuffer>;

void write_string(Writer& w, std::string_view text, std::string& scratch) {
    scratch.clear();
    append_utf8_sanitised(text, scratch);
    w.String(scratch.data(), static_cast<rj::SizeType>(scratch.size()));
}

// One JSON object per line; every line is valid JSON whatever the payload's bytes.
class JsonFormatter : public Formatter {
  public:
    void append(const Received& m, std::string& out) override {
        line_.Clear();
        Writer w(line_);
        w.StartObject();
        w.Key("type");
        w.String(m.is_pattern ? "pmessage" : m.is_sharded ? "smessage" : "message");
        if (m.is_pattern) {
            w.Key("pattern");
            write_string(w, m.pattern, scratch_);
        }
        w.Key("channel");
        write_string(w, m.channel, scratch_);
        w.Key("data");
        if (!write_json_payload(w, m.payload)) {
            scratch_.clear();
            bool valid = append_utf8_sanitised(m.payload, scratch_);
            w.String(scratch_.data(), static_cast<rj::SizeType>(scratch_.size()));
            if (!valid) {
                w.Key("data_base64");
                std::string encoded = base64(m.payload);
                w.String(encoded.data(), static_cast<rj::SizeType>(encoded.size()));
            }
        }
        w.Key("received_at");
        std::string stamp = util::utc_iso_milli(m.received_at);
        w.String(stamp.data(), static_cast<rj::SizeType>(stamp.size()));
        w.EndObject();
        out.append(line_.GetString(), line_.GetSize());
        out += '\n';
    }

  private:
    // Writes the payload as a JSON value (compacted onto the line) when it is JSON.
    bool write_json_payload(Writer& w, std::string_view payload) {
        if (payload.empty()) return false;
        value_.Clear();
        Writer value_writer(value_);
        rj::Reader reader;
        rj::MemoryStream stream(payload.data(), payload.size());
        if (!reader.Parse<parse_flags>(stream, value_writer) || stream.Tell() != payload.size()) {
            return false;
        }
        w.RawValue(value_.GetString(), value_.GetSize(), rj::kObjectType);
        return true;
    }

    rj::StringBuffer line_;
    rj::StringBuffer value_;
    std::string scratch_;
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
    if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
    rj::StringBuffer buf;
    Writer w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

// The lab's subscriber window, as text.
class PrettyFormatter : public Formatter {
  public:
    explicit PrettyFormatter(bool colour) : colour_(colour) {}

    void append(const Received& m, std::string& out) override {
        std::string time = util::local_strftime(m.received_at, "[%H:%M:%S]");
        rj::Document doc;
        doc.Parse<parse_flags>(m.payload.data(), m.payload.size());
        // check_json too: Parse stops at a NUL byte and would hide what follows it.
        const bool is_object =
            !doc.HasParseError() && doc.IsObject() && !message::check_json(m.payload);
        std::string channel, pattern, payload;
        append_utf8_sanitised(m.channel, channel);
        append_utf8_sanitised(m.pattern, pattern);

        if (!is_object) {
            append_utf8_sanitised(m.payload, payload);
            out += paint(time, dim) + " ";
            if (m.is_pattern) {
                out += "Pattern '" + paint(pattern, bold) + "': " + payload + "\n";
            } else {
                out += paint(channel, bold) + ": " + payload + "\n";
            }
            return;
        }
        const auto event = doc.FindMember("event");
        const std::string event_name = event == doc.MemberEnd() ? "unknown" : display(event->value);
        if (m.is_pattern) {
            const std::string rule(50, '-');
            out += paint(time, dim) + " Pattern '" + paint(pattern, bold) + "' matched '" +
                   paint(channel, bold) + "'\n";
            out += rule + "\n";
            out += "Event: " + paint(event_name, cyan) + "\n";
            out += "Full message: " + message::indent_json(m.payload) + "\n";
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
            if (it != doc.MemberEnd()) out += std::string(label) + display(it->value) + "\n";
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

    bool colour_;
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

std::unique_ptr<Formatter> make_formatter(Format format, bool colour,
                                          std::string_view template_text) {
    switch (format) {
        case Format::json:
            return std::make_unique<JsonFormatter>();
        case Format::raw:
            return std::make_unique<RawFormatter>();
        case Format::template_:
            return make_template_formatter(template_text);
        case Format::pretty:
            break;
    }
    return std::make_unique<PrettyFormatter>(colour);
}

}  // namespace amr::output
