#include <doctest/doctest.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <regex>
#include <string>
#include <string_view>

#include "error.hpp"
#include "message/json_check.hpp"
#include "output/formatter.hpp"

using amr::Error;
using amr::ErrorKind;
using amr::output::append_utf8_sanitised;
using amr::output::Format;
using amr::output::make_formatter;
using amr::output::parse_format;
using amr::output::Received;
using amr::util::SystemTime;
using namespace std::chrono;
using namespace std::string_view_literals;

namespace {

// 2025-11-20 12:31:14.906797 UTC.
SystemTime fixed_time() {
    return sys_days{year{2025} / 11 / 20} + hours{12} + minutes{31} + seconds{14} +
           microseconds{906797};
}

// "[HH:MM:SS]" of `t` in local time, computed independently of the code under test.
std::string local_hms(SystemTime t) {
    std::time_t secs = system_clock::to_time_t(t);
    std::tm tm{};
    localtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "[%H:%M:%S]", &tm);
    return buf;
}

std::string rule_of(const char* piece) {
    std::string rule;
    for (int i = 0; i < 50; ++i) rule += piece;
    return rule;
}

const std::string box_rule = rule_of("\u2500");
const std::string dash_rule(50, '-');

const char* const order_created =
    R"({"event":"order_created","order_id":"ORD-20251120123114","customer":"Jane Doe",)"
    R"("total":129.99,"timestamp":"2025-11-20T12:31:14.906797"})";

Received message(std::string_view channel, std::string_view payload) {
    Received r;
    r.channel = channel;
    r.payload = payload;
    r.received_at = fixed_time();
    return r;
}

Received pmessage(std::string_view pattern, std::string_view channel, std::string_view payload) {
    Received r = message(channel, payload);
    r.is_pattern = true;
    r.pattern = pattern;
    return r;
}

std::string format(Format f, const Received& r, bool colour = false) {
    std::string out;
    make_formatter(f, {.colour = colour})->append(r, out);
    return out;
}

std::string strip_ansi(const std::string& s) {
    return std::regex_replace(s, std::regex("\033\\[[0-9;]*m"), "");
}

// Parses one json-format line (without its newline), requiring valid UTF-8.
rapidjson::Document parse_line(const std::string& line) {
    REQUIRE(!line.empty());
    REQUIRE(line.back() == '\n');
    CHECK(std::count(line.begin(), line.end(), '\n') == 1);
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag>(line.data(), line.size() - 1);
    INFO("line: " << line);
    REQUIRE_MESSAGE(!d.HasParseError(), rapidjson::GetParseError_En(d.GetParseError()));
    REQUIRE(d.IsObject());
    return d;
}

std::string str(const rapidjson::Value& v) {
    REQUIRE(v.IsString());
    return std::string(v.GetString(), v.GetStringLength());
}

std::string base64_decode(const std::string& in) {
    static const std::string table =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    REQUIRE(in.size() % 4 == 0);
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (char c : in) {
        if (c == '=') break;
        size_t v = table.find(c);
        REQUIRE(v != std::string::npos);
        bits = (bits << 6) | static_cast<unsigned>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xFF);
        }
    }
    return out;
}

const std::string fffd = "\xEF\xBF\xBD";

}  // namespace

TEST_CASE("parse_format: the three formats") {
    CHECK(parse_format("pretty") == Format::pretty);
    CHECK(parse_format("json") == Format::json);
    CHECK(parse_format("raw") == Format::raw);
}

TEST_CASE("parse_format: an unknown format is a usage error naming the formats") {
    for (const std::string bad : {"", "JSON", "text", "pretty "}) {
        CAPTURE(bad);
        try {
            parse_format(bad);
            FAIL("accepted an unknown format");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(std::string(e.what()) == std::string("--format: unknown format '") + bad + "'");
            CHECK(e.hint() == "formats: pretty, json, raw, template");
        }
    }
}

TEST_CASE("pretty: the lab's order_created display") {
    const std::string out = format(Format::pretty, message("orders:created", order_created));
    CHECK(out == local_hms(fixed_time()) + " Message on 'orders:created'\n" + box_rule + "\n" +
                     "Event: order_created\n"
                     "Order ID: ORD-20251120123114\n"
                     "Customer: Jane Doe\n"
                     "Total: $129.99\n" +
                     box_rule + "\n");
}

TEST_CASE("pretty: the rule is 50 U+2500 characters") {
    CHECK(box_rule.size() == 150);
    const std::string out = format(Format::pretty, message("c", R"({"event":"e"})"));
    CHECK(out.find("\n" + box_rule + "\n") != std::string::npos);
    CHECK(out.find("\n" + box_rule + "\u2500") == std::string::npos);
}

TEST_CASE("pretty: field lines only when present, in the lab's order") {
    // Keys in the reverse of the lab's order: the display keeps the lab's.
    const char* payload =
        R"({"message":"Hello","current_stock":5,"product_name":"Wireless Headphones",)"
        R"("tracking_number":"TRK-123114","total":10,"customer":"Jane Doe",)"
        R"("order_id":"ORD-1","event":"everything","priority":"high"})";
    CHECK(format(Format::pretty, message("c", payload)) ==
          local_hms(fixed_time()) + " Message on 'c'\n" + box_rule + "\n" +
              "Event: everything\n"
              "Order ID: ORD-1\n"
              "Customer: Jane Doe\n"
              "Total: $10\n"
              "Tracking: TRK-123114\n"
              "Product: Wireless Headphones\n"
              "Stock Level: 5\n"
              "Message: Hello\n" +
              box_rule + "\n");
}

TEST_CASE("pretty: the other lab events") {
    const std::string t = local_hms(fixed_time());
    CHECK(format(Format::pretty,
                 message("orders:shipped",
                         R"({"event":"order_shipped","order_id":"ORD-20251120123114",)"
                         R"("tracking_number":"TRK-123114","carrier":"FastShip",)"
                         R"("timestamp":"x"})")) ==
          t + " Message on 'orders:shipped'\n" + box_rule +
              "\nEvent: order_shipped\nOrder ID: ORD-20251120123114\nTracking: TRK-123114\n" +
              box_rule + "\n");
    CHECK(
        format(Format::pretty, message("inventory:alerts",
                                       R"({"event":"inventory_low","product_id":"PROD-12345",)"
                                       R"("product_name":"Wireless Headphones","current_stock":5,)"
                                       R"("threshold":10,"timestamp":"x"})")) ==
        t + " Message on 'inventory:alerts'\n" + box_rule +
            "\nEvent: inventory_low\nProduct: Wireless Headphones\nStock Level: 5\n" + box_rule +
            "\n");
    CHECK(format(Format::pretty,
                 message("notifications", R"({"event":"system_announcement",)"
                                          R"("message":"System maintenance scheduled for 2 AM",)"
                                          R"("priority":"high","timestamp":"x"})")) ==
          t + " Message on 'notifications'\n" + box_rule +
              "\nEvent: system_announcement\nMessage: System maintenance scheduled for 2 AM\n" +
              box_rule + "\n");
}

TEST_CASE("pretty: an object without event shows unknown") {
    CHECK(format(Format::pretty, message("c", R"({"a":1})")) ==
          local_hms(fixed_time()) + " Message on 'c'\n" + box_rule + "\nEvent: unknown\n" +
              box_rule + "\n");
}

TEST_CASE("pretty: a payload that is not JSON prints on one line") {
    const std::string t = local_hms(fixed_time());
    CHECK(format(Format::pretty, message("orders:created", "hello world")) ==
          t + " orders:created: hello world\n");
    CHECK(format(Format::pretty, message("c", "{broken")) == t + " c: {broken\n");
    CHECK(format(Format::pretty, message("c", "")) == t + " c: \n");
}

TEST_CASE("pretty: JSON that is not an object is shown as not JSON") {
    const std::string t = local_hms(fixed_time());
    CHECK(format(Format::pretty, message("c", "[1,2]")) == t + " c: [1,2]\n");
    CHECK(format(Format::pretty, message("c", "42")) == t + " c: 42\n");
    CHECK(format(Format::pretty, message("c", "\"text\"")) == t + " c: \"text\"\n");
    CHECK(format(Format::pretty, message("c", "null")) == t + " c: null\n");
}

TEST_CASE("pretty: an object followed by a NUL byte and more is not JSON") {
    const std::string_view payload = "{\"event\":\"e\"}\0junk"sv;
    CHECK(format(Format::pretty, message("c", payload)) ==
          local_hms(fixed_time()) + " c: {\"event\":\"e\"}" + std::string(1, '\0') + "junk\n");
}

TEST_CASE("pretty: pattern message with a JSON object") {
    CHECK(format(Format::pretty, pmessage("orders:*", "orders:created", order_created)) ==
          local_hms(fixed_time()) + " Pattern 'orders:*' matched 'orders:created'\n" + dash_rule +
              "\n"
              "Event: order_created\n"
              "Full message: {\n"
              "  \"event\": \"order_created\",\n"
              "  \"order_id\": \"ORD-20251120123114\",\n"
              "  \"customer\": \"Jane Doe\",\n"
              "  \"total\": 129.99,\n"
              "  \"timestamp\": \"2025-11-20T12:31:14.906797\"\n"
              "}\n" +
              dash_rule + "\n");
}

TEST_CASE("pretty: pattern message that is not JSON") {
    const std::string t = local_hms(fixed_time());
    CHECK(format(Format::pretty, pmessage("orders:*", "orders:created", "plain text")) ==
          t + " Pattern 'orders:*': plain text\n");
    CHECK(format(Format::pretty, pmessage("n*", "notifications", "[1]")) ==
          t + " Pattern 'n*': [1]\n");
}

TEST_CASE("pretty: invalid UTF-8 is replaced, never passed through") {
    const std::string out = format(Format::pretty, message("ch\xFF", "caf\xE9"));
    CHECK(out == local_hms(fixed_time()) + " ch" + fffd + ": caf" + fffd + "\n");
}

TEST_CASE("pretty: no escape bytes without colour") {
    for (const Received& r :
         {message("orders:created", order_created), message("c", "text"),
          pmessage("o*", "orders:created", order_created), pmessage("o*", "c", "text")}) {
        CHECK(format(Format::pretty, r, false).find('\033') == std::string::npos);
    }
}

TEST_CASE("pretty: colour adds ANSI codes and nothing else") {
    for (const Received& r :
         {message("orders:created", order_created), message("c", "text"),
          pmessage("o*", "orders:created", order_created), pmessage("o*", "c", "text")}) {
        const std::string coloured = format(Format::pretty, r, true);
        CHECK(coloured.find('\033') != std::string::npos);
        CHECK(strip_ansi(coloured) == format(Format::pretty, r, false));
    }
    const std::string out = format(Format::pretty, message("orders:created", order_created), true);
    CHECK(out.starts_with("\033[2m" + local_hms(fixed_time()) +
                          "\033[0m Message on '\033[1morders:created\033[0m'\n"));
    CHECK(out.find("Event: \033[36morder_created\033[0m\n") != std::string::npos);
}

TEST_CASE("json: received_at keeps its milliseconds' leading zeros, and follows the second") {
    auto formatter = make_formatter(Format::json, {});
    Received r = message("c", "1");
    const auto second = std::chrono::floor<std::chrono::seconds>(fixed_time());
    std::string out;
    r.received_at = second + std::chrono::milliseconds(5);
    formatter->append(r, out);
    r.received_at = second + std::chrono::milliseconds(1070);  // the next second, 70 ms
    formatter->append(r, out);
    CHECK(out ==
          R"({"type":"message","channel":"c","data":1,"received_at":"2025-11-20T12:31:14.005Z"})"
          "\n"
          R"({"type":"message","channel":"c","data":1,"received_at":"2025-11-20T12:31:15.070Z"})"
          "\n");
}

TEST_CASE("json: a JSON object payload is embedded as an object") {
    const std::string out = format(Format::json, message("orders:created", order_created));
    CHECK(out == std::string(R"({"type":"message","channel":"orders:created","data":)") +
                     order_created + R"(,"received_at":"2025-11-20T12:31:14.906Z"})" + "\n");
    rapidjson::Document d = parse_line(out);
    REQUIRE(d["data"].IsObject());
    CHECK(d["data"]["total"].GetDouble() == 129.99);
    CHECK_FALSE(d.HasMember("pattern"));
    CHECK_FALSE(d.HasMember("data_base64"));
}

TEST_CASE("json: pattern messages carry the pattern") {
    CHECK(format(Format::json, pmessage("orders:*", "orders:shipped", "{\"a\":1}")) ==
          R"({"type":"pmessage","pattern":"orders:*","channel":"orders:shipped","data":{"a":1},)"
          R"("received_at":"2025-11-20T12:31:14.906Z"})"
          "\n");
}

TEST_CASE("json: other JSON values are embedded as values") {
    CHECK(parse_line(format(Format::json, message("c", "42")))["data"].GetInt() == 42);
    CHECK(parse_line(format(Format::json, message("c", "[1,2]")))["data"].IsArray());
    CHECK(parse_line(format(Format::json, message("c", "null")))["data"].IsNull());
    CHECK(str(parse_line(format(Format::json, message("c", "\"s\"")))["data"]) == "s");
}

TEST_CASE(
    "json: a JSON payload spread over lines is compacted onto one line, its bytes in base64") {
    const std::string out = format(Format::json, message("c", "{\n  \"a\": [1,\n 2]\n}\n"));
    CHECK(out == R"({"type":"message","channel":"c","data":{"a":[1,2]},)"
                 R"("data_base64":"ewogICJhIjogWzEsCiAyXQp9Cg==",)"
                 R"("received_at":"2025-11-20T12:31:14.906Z"})"
                 "\n");
}

TEST_CASE("json: a payload that is not JSON becomes a string") {
    CHECK(format(Format::json, message("c", "hello \"world\"")) ==
          R"({"type":"message","channel":"c","data":"hello \"world\"",)"
          R"("received_at":"2025-11-20T12:31:14.906Z"})"
          "\n");
    CHECK(str(parse_line(format(Format::json, message("c", "{\"a\":1} trailing")))["data"]) ==
          "{\"a\":1} trailing");
    CHECK(str(parse_line(format(Format::json, message("c", "  ")))["data"]) == "  ");
}

TEST_CASE("json: an empty payload is an empty string") {
    const std::string out = format(Format::json, message("c", ""));
    CHECK(out == R"({"type":"message","channel":"c","data":"",)"
                 R"("received_at":"2025-11-20T12:31:14.906Z"})"
                 "\n");
}

TEST_CASE("json: a payload with newlines still makes exactly one line") {
    const std::string_view payload = "line one\nline two\r\n\nend\n";
    const std::string out = format(Format::json, message("c", payload));
    rapidjson::Document d = parse_line(out);
    CHECK(str(d["data"]) == payload);
    CHECK_FALSE(d.HasMember("data_base64"));
}

TEST_CASE("json: binary payloads give valid JSON, U+FFFD and the exact bytes in base64") {
    const std::string_view payload =
        "\x00\x01\xFF\xFE"
        "abc"sv;
    const std::string out = format(Format::json, message("c", payload));
    rapidjson::Document d = parse_line(out);
    CHECK(str(d["data"]) == std::string("\0\x01", 2) + fffd + fffd + "abc");
    CHECK(str(d["data_base64"]) == "AAH//mFiYw==");
    CHECK(base64_decode(str(d["data_base64"])) == payload);
}

TEST_CASE("json: non-UTF-8 text payloads") {
    struct Case {
        std::string_view payload;
        std::string data;
        const char* encoded;
    };
    for (const Case& c :
         {Case{"caf\xE9", "caf" + fffd, "Y2Fm6Q=="}, Case{"\xFF", fffd, "/w=="},
          Case{"\xFF\xFE", fffd + fffd, "//4="}, Case{"\xFF\xFE\xFD", fffd + fffd + fffd, "//79"},
          Case{"{\"a\":\"\xFF\"}", "{\"a\":\"" + fffd + "\"}", "eyJhIjoi/yJ9"}}) {
        CAPTURE(c.encoded);
        rapidjson::Document d = parse_line(format(Format::json, message("c", c.payload)));
        CHECK(str(d["data"]) == c.data);
        CHECK(str(d["data_base64"]) == c.encoded);
        CHECK(base64_decode(str(d["data_base64"])) == c.payload);
    }
}

TEST_CASE("json: base64 of every remainder length decodes to the bytes") {
    std::string bytes;
    for (int i = 0; i < 20; ++i) {
        bytes += static_cast<char>(0x80 + i * 7);  // never valid UTF-8 on its own
        rapidjson::Document d = parse_line(format(Format::json, message("c", bytes)));
        CAPTURE(i);
        CHECK(base64_decode(str(d["data_base64"])) == bytes);
    }
}

TEST_CASE("json: valid UTF-8 text has no data_base64") {
    rapidjson::Document d =
        parse_line(format(Format::json, message("c", "Z\xC3\xBCrich \xF0\x9F\x98\x80")));
    CHECK(str(d["data"]) == "Z\xC3\xBCrich \xF0\x9F\x98\x80");
    CHECK_FALSE(d.HasMember("data_base64"));
}

TEST_CASE("json: channel and pattern that are not UTF-8 are sanitised") {
    rapidjson::Document d = parse_line(format(Format::json, pmessage("p\xFF*", "c\xC3", "x")));
    CHECK(str(d["pattern"]) == "p" + fffd + "*");
    CHECK(str(d["channel"]) == "c" + fffd);
}

TEST_CASE("json: received_at is UTC with milliseconds and Z") {
    rapidjson::Document d = parse_line(format(Format::json, message("c", "x")));
    CHECK(str(d["received_at"]) == "2025-11-20T12:31:14.906Z");
    Received early = message("c", "x");
    early.received_at =
        sys_days{year{2024} / 1 / 2} + hours{3} + minutes{4} + seconds{5} + milliseconds{7};
    CHECK(str(parse_line(format(Format::json, early))["received_at"]) ==
          "2024-01-02T03:04:05.007Z");
}

TEST_CASE("json: member order is type, pattern, channel, data, received_at") {
    rapidjson::Document d = parse_line(format(Format::json, pmessage("p*", "pc", "\xFF")));
    std::vector<std::string> names;
    for (const auto& m : d.GetObject()) names.emplace_back(m.name.GetString());
    CHECK(names == std::vector<std::string>{"type", "pattern", "channel", "data", "data_base64",
                                            "received_at"});
}

TEST_CASE("json: one formatter reused for many messages") {
    auto f = make_formatter(Format::json, {});
    std::string out;
    f->append(message("a", "{\"x\":1}"), out);
    f->append(message("b", "not json"), out);
    f->append(message("c", "\xFF"), out);
    f->append(message("d", "[true]"), out);
    CHECK(std::count(out.begin(), out.end(), '\n') == 4);
    CHECK(
        out ==
        R"({"type":"message","channel":"a","data":{"x":1},"received_at":"2025-11-20T12:31:14.906Z"})"
        "\n"
        R"({"type":"message","channel":"b","data":"not json","received_at":"2025-11-20T12:31:14.906Z"})"
        "\n"
        R"({"type":"message","channel":"c","data":")" +
            fffd +
            R"(","data_base64":"/w==","received_at":"2025-11-20T12:31:14.906Z"})"
            "\n"
            R"({"type":"message","channel":"d","data":[true],"received_at":"2025-11-20T12:31:14.906Z"})"
            "\n");
}

TEST_CASE("raw: the payload and a newline, bytes preserved") {
    CHECK(format(Format::raw, message("c", order_created)) == std::string(order_created) + "\n");
    CHECK(format(Format::raw, message("c", "")) == "\n");
    const std::string_view binary = "\x00\xFF\n\xC0\x80"sv;
    CHECK(format(Format::raw, message("c", binary)) == std::string(binary) + "\n");
    CHECK(format(Format::raw, pmessage("p*", "c", "x")) == "x\n");
}

TEST_CASE("formatters append to what is already there") {
    std::string out = "before\n";
    make_formatter(Format::raw, {})->append(message("c", "x"), out);
    CHECK(out == "before\nx\n");
}

TEST_CASE("append_utf8_sanitised: valid text passes unchanged") {
    std::string out = "prefix:";
    CHECK(append_utf8_sanitised("plain ASCII", out));
    CHECK(out == "prefix:plain ASCII");
    for (std::string_view ok :
         {""sv, "\x00"sv, "\x7F"sv, "\xC2\x80"sv, "\xDF\xBF"sv, "\xE0\xA0\x80"sv, "\xED\x9F\xBF"sv,
          "\xEE\x80\x80"sv, "\xEF\xBF\xBF"sv, "\xF0\x90\x80\x80"sv, "\xF4\x8F\xBF\xBF"sv,
          "Z\xC3\xBCrich \xE2\x82\xAC \xF0\x9F\x98\x80"sv}) {
        std::string o;
        CHECK(append_utf8_sanitised(ok, o));
        CHECK(o == ok);
    }
}

TEST_CASE("append_utf8_sanitised: each invalid byte becomes U+FFFD") {
    struct Case {
        std::string_view in;
        std::string out;
    };
    const std::string r = fffd;
    for (const Case& c : {
             // overlong encodings
             Case{"\xC0\xAF", r + r},
             Case{"\xC1\xBF", r + r},
             Case{"\xE0\x80\xAF", r + r + r},
             Case{"\xE0\x9F\xBF", r + r + r},
             Case{"\xF0\x80\x80\xAF", r + r + r + r},
             Case{"\xF0\x8F\xBF\xBF", r + r + r + r},
             // UTF-16 surrogates
             Case{"\xED\xA0\x80", r + r + r},
             Case{"\xED\xBF\xBF", r + r + r},
             // beyond U+10FFFF and bytes never used
             Case{"\xF4\x90\x80\x80", r + r + r + r},
             Case{"\xF5\x80\x80\x80", r + r + r + r},
             Case{"\xF8", r},
             Case{"\xFE\xFF", r + r},
             // lone continuation bytes
             Case{"\x80", r},
             Case{"a\xBFz", "a" + r + "z"},
             // truncated sequences, at the end and before other text
             Case{"\xC3", r},
             Case{"\xE2\x82", r + r},
             Case{"\xF0\x9F\x98", r + r + r},
             Case{"\xE2\x82"
                  "A",
                  r + r + "A"},
             Case{"\xC3"
                  "\xC3\xA9",
                  r + "\xC3\xA9"},
         }) {
        std::string o;
        CHECK_FALSE(append_utf8_sanitised(c.in, o));
        CHECK(o == c.out);
    }
}

// Hostile payloads and names: JSON nested past the limit, control bytes on a terminal.

namespace {

using amr::message::max_json_depth;

std::string nested_arrays(size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

// On a terminal: escape, and colour when asked.
std::string on_terminal(Format f, const Received& r, bool colour = false) {
    std::string out;
    make_formatter(f, {.colour = colour, .escape = true})->append(r, out);
    return out;
}

const std::string hostile_channel = "\x1b]0;pwned\a\x1b[2J";
const std::string hostile_channel_shown = "\\x1b]0;pwned\\a\\x1b[2J";

}  // namespace

TEST_CASE("pretty and json: a payload past the depth limit is text, one at the limit JSON") {
    const std::string t = local_hms(fixed_time());
    const std::string at_limit =
        "{\"event\":\"deep\",\"v\":" + nested_arrays(max_json_depth - 1) + "}";
    CHECK(format(Format::pretty, message("c", at_limit)).find("Event: deep\n") !=
          std::string::npos);
    rapidjson::Document d = parse_line(format(Format::json, message("c", at_limit)));
    CHECK(d["data"].IsObject());
    CHECK(format(Format::pretty, pmessage("p*", "c", at_limit)).find("Full message: {\n") !=
          std::string::npos);
    for (size_t depth : {size_t{max_json_depth} + 1, size_t{1'000'000}}) {
        CAPTURE(depth);
        const std::string deep = nested_arrays(depth);
        const std::string deep_object = "{\"event\":\"deep\",\"v\":" + nested_arrays(depth) + "}";
        CHECK(format(Format::pretty, message("c", deep)) == t + " c: " + deep + "\n");
        CHECK(format(Format::pretty, message("c", deep_object)) == t + " c: " + deep_object + "\n");
        CHECK(format(Format::pretty, pmessage("p*", "c", deep_object)) ==
              t + " Pattern 'p*': " + deep_object + "\n");
        CHECK(on_terminal(Format::pretty, message("c", deep)) == t + " c: " + deep + "\n");
        // -j: the payload becomes a string; the line stays valid JSON, the bytes exact.
        rapidjson::Document line = parse_line(format(Format::json, message("c", deep_object)));
        CHECK(str(line["data"]) == deep_object);
        CHECK_FALSE(line.HasMember("data_base64"));
        CHECK(format(Format::raw, message("c", deep)) == deep + "\n");
    }
}

TEST_CASE("pretty on a terminal: control bytes of names and text payloads are escaped") {
    const std::string t = local_hms(fixed_time());
    CHECK(on_terminal(Format::pretty, message(hostile_channel,
                                              "a\x1b[31mb\nc\xC2\x9B"
                                              "d\xFF")) ==
          t + " " + hostile_channel_shown + ": a\\x1b[31mb\\nc\\xc2\\x9bd\\xff\n");
    CHECK(on_terminal(Format::pretty, pmessage("p\x1b*", hostile_channel, "x\a")) ==
          t + " Pattern 'p\\x1b*': x\\a\n");
    // Colour's own codes are the only escape bytes left.
    const std::string coloured =
        on_terminal(Format::pretty, message(hostile_channel, "\x1b[2J"), true);
    CHECK(coloured.find('\x1b') != std::string::npos);
    CHECK(strip_ansi(coloured) == on_terminal(Format::pretty, message(hostile_channel, "\x1b[2J")));
    CHECK(strip_ansi(coloured).find('\x1b') == std::string::npos);
}

TEST_CASE("pretty on a terminal: JSON strings that decode to control bytes are escaped") {
    const std::string payload =
        R"({"event":"\u001b]0;pwned\u0007","order_id":"\u001b[2J","message":"a\u009bb\u007f"})";
    const std::string out = on_terminal(Format::pretty, message(hostile_channel, payload));
    CHECK(out.find('\x1b') == std::string::npos);
    CHECK(out.find('\a') == std::string::npos);
    CHECK(out.find("Message on '" + hostile_channel_shown + "'\n") != std::string::npos);
    CHECK(out.find("Event: \\x1b]0;pwned\\a\n") != std::string::npos);
    CHECK(out.find("Order ID: \\x1b[2J\n") != std::string::npos);
    CHECK(out.find("Message: a\\xc2\\x9bb\\x7f\n") != std::string::npos);
    // The indented view keeps its line breaks; strings are JSON-escaped, DEL and C1 are not.
    const std::string p = on_terminal(Format::pretty, pmessage("*", "c", payload));
    CHECK(p.find("Full message: {\n  \"event\": \"\\u001B]0;pwned\\u0007\",\n") !=
          std::string::npos);
    CHECK(p.find("\"message\": \"a\\xc2\\x9bb\\x7f\"\n}\n") != std::string::npos);
    CHECK(p.find('\x7f') == std::string::npos);
}

TEST_CASE("pretty through a pipe, json and raw everywhere: bytes as before") {
    const std::string t = local_hms(fixed_time());
    CHECK(format(Format::pretty, message(hostile_channel, "a\x1b[31mb")) ==
          t + " " + hostile_channel + ": a\x1b[31mb\n");
    CHECK(on_terminal(Format::raw, message(hostile_channel, "a\x1b[31mb\xFF")) ==
          "a\x1b[31mb\xFF\n");
    const std::string json = on_terminal(Format::json, message(hostile_channel, "a\x1b[31mb"));
    CHECK(json == format(Format::json, message(hostile_channel, "a\x1b[31mb")));
    rapidjson::Document d = parse_line(json);
    CHECK(str(d["channel"]) == hostile_channel);
    CHECK(str(d["data"]) == "a\x1b[31mb");
}
