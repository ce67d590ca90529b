// How a received message is printed (output/formatter.hpp, terminal_escape.hpp): any
// channel, pattern and payload bytes. json: one line that is valid JSON, its data the
// payload's value when the payload is JSON, with its numbers as written; raw: the payload's bytes;
// pretty with escaping on (a terminal): no control byte but the line breaks, only valid UTF-8
// without C1 controls.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>

#include "fuzz_common.hpp"
#include "message/json_check.hpp"
#include "message/json_number.hpp"
#include "output/formatter.hpp"
#include "output/terminal_escape.hpp"

using namespace amr::output;

namespace {

// True when `text` holds nothing a terminal would act on but line breaks.
bool terminal_safe(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        const unsigned char c = text[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f) return false;
        const size_t len = utf8_sequence(text, i);
        if (len == 0) return false;
        if (len == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) return false;
        i += len;
    }
    return true;
}

std::string written(const rapidjson::Value& value) {
    rapidjson::StringBuffer out;
    amr::message::ExactWriter<rapidjson::Writer<rapidjson::StringBuffer>> writer(out);
    value.Accept(writer);
    return std::string(out.GetString(), out.GetSize());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 3) return 0;
    const unsigned flags = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data) + 3, size - 3);
    const std::string_view channel = rest.substr(0, std::min<size_t>(data[1] % 32, rest.size()));
    rest.remove_prefix(channel.size());
    const std::string_view pattern = rest.substr(0, std::min<size_t>(data[2] % 16, rest.size()));
    rest.remove_prefix(pattern.size());

    Received m;
    m.is_pattern = flags & 1;
    m.is_sharded = !m.is_pattern && (flags & 2);
    m.pattern = m.is_pattern ? pattern : std::string_view();
    m.channel = channel;
    m.payload = rest;
    m.received_at = amr::util::SystemTime(std::chrono::milliseconds(1764000000123));

    std::string out;
    make_formatter(Format::json, {})->append(m, out);
    fuzz::check(!out.empty() && out.back() == '\n' && out.find('\n') == out.size() - 1,
                "a json line is not one line", out);
    const std::string_view line(out.data(), out.size() - 1);
    // The payload is one level down: 128 levels of payload make 129.
    const auto problem = amr::message::check_json(line, amr::message::max_json_depth + 1);
    fuzz::check(!problem, "a json line is not JSON", out);
    if (!problem && !amr::message::check_json(m.payload)) {
        rapidjson::Document line_doc, payload_doc;
        amr::message::parse_json(line, line_doc, amr::message::max_json_depth + 1);
        amr::message::parse_json(m.payload, payload_doc);
        // Compared as written, numbers as written too: == on objects with a key twice finds
        // the first one only.
        const std::string data = written(line_doc["data"]);
        fuzz::check(data == written(payload_doc), "a json line's data is not the payload", out);
        fuzz::check(fuzz::numbers_of(data) == fuzz::numbers_of(m.payload),
                    "a json line's data changes a number", out);
    }

    out.clear();
    make_formatter(Format::raw, {})->append(m, out);
    fuzz::check(
        out.size() == m.payload.size() + 1 && out.starts_with(m.payload) && out.back() == '\n',
        "raw output is not the payload", out);

    out.clear();
    make_formatter(Format::pretty, {.colour = false, .escape = true})->append(m, out);
    fuzz::check(terminal_safe(out), "pretty output on a terminal holds control bytes", out);

    out.clear();
    make_formatter(Format::pretty, {.colour = (flags & 4) != 0, .escape = false})->append(m, out);

    std::string clean;
    append_utf8_sanitised(m.payload, clean);
    std::string again;
    fuzz::check(append_utf8_sanitised(clean, again) && again == clean,
                "sanitised text is not valid UTF-8");
    fuzz::check(terminal_safe(terminal_escaped(m.payload)),
                "terminal_escaped leaves control bytes");
    return 0;
}
