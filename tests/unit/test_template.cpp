#include <doctest/doctest.h>

#include <chrono>
#include <ctime>
#include <string>
#include <string_view>

#include "error.hpp"
#include "message/json_check.hpp"
#include "output/formatter.hpp"
#include "output/template.hpp"

using amr::Error;
using amr::ErrorKind;
using amr::output::Format;
using amr::output::make_formatter;
using amr::output::make_template_formatter;
using amr::output::parse_format;
using amr::output::Received;
using amr::util::SystemTime;
using namespace std::chrono;
using namespace std::string_literals;
using namespace std::string_view_literals;

namespace {

// 2025-11-20 12:31:14.906797123 UTC.
SystemTime fixed_time() {
    return SystemTime(
        duration_cast<system_clock::duration>((sys_days{year{2025} / 11 / 20} + hours{12} +
                                               minutes{31} + seconds{14} + nanoseconds{906797123})
                                                  .time_since_epoch()));
}

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

std::string render(std::string_view tmpl, const Received& r) {
    std::string out;
    make_template_formatter(tmpl)->append(r, out);
    return out;
}

std::string render(std::string_view tmpl, std::string_view payload) {
    return render(tmpl, message("ch", payload));
}

// strftime of `t` in local time, computed independently of the code under test.
std::string local(SystemTime t, const char* format) {
    std::time_t secs = system_clock::to_time_t(t);
    std::tm tm{};
    localtime_r(&secs, &tm);
    char buf[128];
    return std::string(buf, std::strftime(buf, sizeof buf, format, &tm));
}

// The usage Error a bad template throws.
Error error_of(std::string_view tmpl) {
    try {
        make_template_formatter(tmpl);
    } catch (const Error& e) {
        return e;
    }
    FAIL("accepted the template '" << std::string(tmpl) << "'");
    return amr::usage_error("unreachable");
}

const char* const order =
    R"({"event":"order_created","order_id":"ORD-1","total":129.99,"paid":true,"coupon":null,)"
    R"("customer":{"name":"Jane Doe","address":{"city":"Lyon","zip":"69001"}},)"
    R"("items":[{"sku":"A-1","qty":2},{"sku":"B-2","qty":1,"tags":["x","y"]}],)"
    R"("note":"line1\nline2\ttab \"q\" \u00e9","n":-12,"big":12345678901234567890,)"
    R"("e":1.5e-7,"empty":"","0":"zero key","a.b":"dotted"})";

}  // namespace

TEST_CASE("template: parse_format and make_formatter know the format") {
    CHECK(parse_format("template") == Format::template_);
    std::string out;
    make_formatter(Format::template_, {.colour = true}, "{channel}={payload}")
        ->append(message("c", "p"), out);
    CHECK(out == "c=p");
}

TEST_CASE("template: literal text only, and no newline is added") {
    CHECK(render("hello", "x") == "hello");
    CHECK(render("{payload}", "x") == "x");
    CHECK(render("{payload}\\n", "x") == "x\n");
}

TEST_CASE("template: channel, pattern, type and payload") {
    const Received m = message("orders:created", "hi");
    CHECK(render("{type} {channel} [{pattern}] {payload}", m) == "message orders:created [] hi");
    const Received p = pmessage("orders:*", "orders:paid", "yo");
    CHECK(render("{type} {channel} [{pattern}] {payload}", p) ==
          "pmessage orders:paid [orders:*] yo");
    Received s = message("orders:{eu}", "sh");
    s.is_sharded = true;
    CHECK(render("{type} {channel} [{pattern}] {payload}", s) == "smessage orders:{eu} [] sh");
    CHECK(render("{channel}{channel}", m) == "orders:createdorders:created");
}

TEST_CASE("template: the payload's exact bytes, binary included") {
    const std::string binary = "a\0b\xff\xfe\n\r\x1b end"s;
    CHECK(render("<{payload}>", binary) == "<" + binary + ">");
    CHECK(render("[{payload}]", "") == "[]");
    const std::string bad_channel = "ch\xff\0x"s;
    CHECK(render("{channel}", message(bad_channel, "")) == bad_channel);
}

TEST_CASE("template: {data.PATH} fields of a JSON payload") {
    SUBCASE("strings bare") {
        CHECK(render("{data.order_id}", order) == "ORD-1");
        CHECK(render("{data.event}|{data.order_id}", order) == "order_created|ORD-1");
        CHECK(render("[{data.empty}]", order) == "[]");
        CHECK(render("{data.note}", order) == "line1\nline2\ttab \"q\" \u00e9");
    }
    SUBCASE("other values as compact JSON") {
        CHECK(render("{data.total}", order) == "129.99");
        CHECK(render("{data.paid}", order) == "true");
        CHECK(render("{data.coupon}", order) == "null");
        CHECK(render("{data.n}", order) == "-12");
        CHECK(render("{data.big}", order) == "12345678901234567890");
        CHECK(render("{data.e}", order) == "1.5e-7");
        CHECK(render("{data.customer.address}", order) == R"({"city":"Lyon","zip":"69001"})");
        CHECK(render("{data.items.1.tags}", order) == R"(["x","y"])");
        CHECK(render("{data.x}", R"({"x": { "a" : [1, 2 ,"\u00e9\n"] }})") ==
              "{\"a\":[1,2,\"\u00e9\\n\"]}");
    }
    SUBCASE("nested objects and arrays") {
        CHECK(render("{data.customer.name}", order) == "Jane Doe");
        CHECK(render("{data.customer.address.city}", order) == "Lyon");
        CHECK(render("{data.items.0.sku}", order) == "A-1");
        CHECK(render("{data.items.1.qty}", order) == "1");
        CHECK(render("{data.items.1.tags.1}", order) == "y");
        CHECK(render("{data.0}", "[\"first\",2]") == "first");
        CHECK(render("{data.1}", "[\"first\",2]") == "2");
        CHECK(render("{data.0.0.0}", "[[[\"deep\"]]]") == "deep");
    }
    SUBCASE("a numeric name is an object key in an object") {
        CHECK(render("{data.0}", order) == "zero key");
    }
    SUBCASE("missing fields print nothing") {
        CHECK(render("[{data.missing}]", order) == "[]");
        CHECK(render("[{data.customer.phone}]", order) == "[]");
        CHECK(render("[{data.items.2.sku}]", order) == "[]");
        CHECK(render("[{data.items.999999999}]", order) == "[]");
        CHECK(render("[{data.items.first}]", order) == "[]");
        CHECK(render("[{data.items.-1}]", order) == "[]");
        CHECK_MESSAGE(render("[{data.order_id.x}]", order) == "[]", "a path through a string");
        CHECK_MESSAGE(render("[{data.total.0}]", order) == "[]", "a path through a number");
        CHECK_MESSAGE(render("[{data.coupon.x}]", order) == "[]", "a path through null");
        CHECK_MESSAGE(render("[{data.a.b}]", order) == "[]", "a dot always separates names");
        CHECK(render("[{data.x}]", "[1,2]") == "[]");
        CHECK(render("[{data.0}]", "{}") == "[]");
    }
    SUBCASE("{data} is the whole payload") {
        CHECK(render("{data}", " {\"a\" : [1, 2],\n \"b\":\"c\"} ") == R"({"a":[1,2],"b":"c"})");
        CHECK(render("{data}", "\"a string\"") == "a string");
        CHECK(render("{data}", "42") == "42");
        CHECK(render("{data}", "null") == "null");
    }
    SUBCASE("payloads that are not JSON print nothing") {
        for (const std::string& payload :
             {""s, "hello"s, "{broken"s, "{\"a\":1} trailing"s, "{\"a\":1}{\"a\":2}"s,
              "{\"a\":1}\0{\"b\":2}"s, "{\"a\":\"\xff\"}"s, "\xff\xfe"s, "{\"a\":1,}"s,
              "{'a':1}"s}) {
            CAPTURE(payload);
            CHECK(render("[{data.a}][{data}][{payload}]", payload) == "[][][" + payload + "]");
        }
    }
    SUBCASE("JSON strings decode escapes, NUL included") {
        CHECK(render("{data.s}", R"({"s":"a\u0000b"})") == "a\0b"s);
        CHECK(render("{data.s}", R"({"s":"\ud83d\ude00"})") == "\U0001F600");
    }
}

TEST_CASE("template: one formatter across messages keeps no stale JSON") {
    auto f = make_template_formatter("{data.a}|{data.b}|{data.a}\\n");
    std::string big = R"({"a":")" + std::string(100000, 'x') + R"(","b":[)";
    for (int i = 0; i < 5000; ++i) big += std::to_string(i) + ",";
    big += "0]}";
    std::string out;
    f->append(message("c", R"({"a":"one","b":1})"), out);
    f->append(message("c", "not json"), out);
    f->append(message("c", big), out);
    f->append(message("c", R"({"b":[2]})"), out);
    f->append(message("c", R"({"a":"five"})"), out);
    const std::string big_b =
        big.substr(big.find("\"b\":") + 4, big.size() - big.find("\"b\":") - 5);
    CHECK(out == "one|1|one\n||\n" + std::string(100000, 'x') + "|" + big_b + "|" +
                     std::string(100000, 'x') + "\n|[2]|\nfive||five\n");
}

TEST_CASE("template: receive times") {
    const Received m = message("c", "p");
    const SystemTime t = fixed_time();
    CHECK(render("{time}", m) == local(t, "%Y-%m-%dT%H:%M:%S") + ".906");
    CHECK(render("{time:%H:%M:%S}", m) == local(t, "%H:%M:%S"));
    CHECK(render("{time:%s}", m) == "1763641874");
    CHECK(render("{time:%Y%m%d %Hh}", m) == local(t, "%Y%m%d %Hh"));
    CHECK(render("{utc}", m) == "2025-11-20T12:31:14.906Z");
    CHECK(render("{utc:%H:%M:%S}", m) == "12:31:14");
    CHECK(render("{utc:%H:%M:%S.%3N}", m) == "12:31:14.906");
    CHECK(render("{utc:%S.%6N}", m) == "14.906797");
    CHECK(render("{utc:%S.%9N}", m) == "14.906797123");
    CHECK(render("{utc:%S.%N}", m) == "14.906797123");
    CHECK(render("{utc:%3N%3N}", m) == "906906");
    CHECK(render("{utc:%%3N %%}", m) == "%3N %");
    CHECK_MESSAGE(render("{utc:%4N}", m) == local(t, "%4N"),
                  "only %3N, %6N, %9N and %N are fractions");
    CHECK(render("{utc:at %H:%M}", m) == "at 12:31");
    CHECK_MESSAGE(render("{utc:a\\tb}", m) == "a\\tb", "no escapes inside placeholders");

    SUBCASE("leading zeros in fractions") {
        Received early = m;
        early.received_at = SystemTime(duration_cast<system_clock::duration>(
            (sys_days{year{2025} / 1 / 2} + hours{3} + nanoseconds{4005006}).time_since_epoch()));
        CHECK(render("{utc}", early) == "2025-01-02T03:00:00.004Z");
        CHECK(render("{utc:%9N}", early) == "004005006");
    }
    SUBCASE("one formatter across seconds") {
        auto f = make_template_formatter("{utc:%H:%M:%S}.{utc:%3N} {time}\\n");
        std::string out;
        Received r = m;
        std::string expected;
        for (const milliseconds step : {milliseconds{0}, milliseconds{50}, milliseconds{1000},
                                        milliseconds{-5000}, milliseconds{hours{1}}}) {
            r.received_at += step;
            f->append(r, out);
            const std::time_t secs = system_clock::to_time_t(r.received_at);
            std::tm tm{};
            gmtime_r(&secs, &tm);
            char buf[32];
            std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
            const auto ms =
                duration_cast<milliseconds>(r.received_at.time_since_epoch()).count() % 1000;
            char frac[8];
            std::snprintf(frac, sizeof frac, "%03lld", static_cast<long long>(ms));
            expected += std::string(buf) + "." + frac + " " +
                        local(r.received_at, "%Y-%m-%dT%H:%M:%S") + "." + frac + "\n";
        }
        CHECK(out == expected);
    }
}

TEST_CASE("template: escapes and literal braces") {
    CHECK(render("a\\tb\\nc\\rd\\0e\\ef\\\\g", "x") ==
          "a\tb\nc\rd\0e\x1b"
          "f\\g"s);
    CHECK(render("{channel}\\0", message("c", "")) == "c\0"s);
    CHECK_MESSAGE(render("\\\\n", "x") == "\\n", "an escaped backslash before n");
    CHECK(render("{{", "x") == "{");
    CHECK(render("}}", "x") == "}");
    CHECK(render("{{channel}}", "x") == "{channel}");
    CHECK(render("{{{channel}}}", "x") == "{ch}");
    CHECK(render("{{\"id\":\"{data.id}\"}}", R"({"id":"7"})") == R"({"id":"7"})");
    CHECK(render("\\e[1m{channel}\\e[0m", "x") == "\x1b[1mch\x1b[0m");
    CHECK(render("caf\u00e9 \u2713 {payload}", "x") == "caf\u00e9 \u2713 x");
}

TEST_CASE("template: a bad template is a usage error naming the byte") {
    struct Case {
        std::string tmpl;
        std::string message;
    };
    const Case cases[] = {
        {"", "--template is empty"},
        {"{chanel}", "--template: unknown placeholder {chanel} at byte 1"},
        {"order: {ch} {chanel}", "--template: unknown placeholder {ch} at byte 8"},
        {"{channel} {chanel}", "--template: unknown placeholder {chanel} at byte 11"},
        {"{Channel}", "--template: unknown placeholder {Channel} at byte 1"},
        {"{ channel }", "--template: unknown placeholder { channel } at byte 1"},
        {"{channel:x}", "--template: unknown placeholder {channel:x} at byte 1"},
        {"{datas.x}", "--template: unknown placeholder {datas.x} at byte 1"},
        {"{.x}", "--template: unknown placeholder {.x} at byte 1"},
        {"{}", "--template: empty placeholder {} at byte 1"},
        {"abc{", "--template: unclosed '{' at byte 4"},
        {"{channel", "--template: unclosed '{' at byte 1"},
        {"{payload} {data.a", "--template: unclosed '{' at byte 11"},
        {"{a{channel}", "--template: unclosed '{' at byte 1"},
        {"{{{", "--template: unclosed '{' at byte 3"},
        {"}", "--template: unmatched '}' at byte 1"},
        {"a}b", "--template: unmatched '}' at byte 2"},
        {"{channel}}", "--template: unmatched '}' at byte 10"},
        {"}}}", "--template: unmatched '}' at byte 3"},
        {"\u00e9{x}", "--template: unknown placeholder {x} at byte 3"},
        {"\\q", "--template: unknown escape '\\q' at byte 1"},
        {"ab\\x41", "--template: unknown escape '\\x' at byte 3"},
        {"\\\x01", "--template: unknown escape '\\\\x01' at byte 1"},
        {"\\\\\\", "--template: '\\' at the end of the template at byte 3"},
        {"{data.}", "--template: empty field name in {data.} at byte 1"},
        {"x{data..a}", "--template: empty field name in {data..a} at byte 2"},
        {"{data.a.}", "--template: empty field name in {data.a.} at byte 1"},
        {"{time:}", "--template: empty strftime format in {time:} at byte 1"},
        {"{utc:}", "--template: empty strftime format in {utc:} at byte 1"},
        {"{time:" + std::string(20, 'x') + "%c" + std::string(250, 'y') + "}",
         "--template: {time:" + std::string(20, 'x') + "%c" + std::string(250, 'y') +
             "} gives no text or more than 255 bytes at byte 1"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.tmpl);
        const Error e = error_of(c.tmpl);
        CHECK(e.kind() == ErrorKind::usage);
        CHECK(std::string(e.what()) == c.message);
        CHECK(!e.hint().empty());
    }
}

TEST_CASE("template: near misses suggest the placeholder") {
    CHECK(error_of("{chanel}").hint().starts_with("did you mean {channel}? placeholders: "));
    CHECK(error_of("{paylod}").hint().starts_with("did you mean {payload}? "));
    CHECK(error_of("{dat.order_id}").hint().starts_with("did you mean {data.order_id}? "));
    CHECK(error_of("{tim:%H}").hint().starts_with("did you mean {time:%H}? "));
    CHECK(error_of("{xyzzy}").hint().starts_with("placeholders: {channel} "));
    CHECK(error_of("\\q").hint() ==
          "escapes: \\t \\n \\r \\0 \\e \\\\ (write \\\\ for a backslash)");
    CHECK(error_of("a}").hint() == "write }} for a literal '}'");
    CHECK(error_of("{a").hint() == "write {{ for a literal '{'");
}

// Hostile payloads and names: JSON nested past the limit, control bytes on a terminal.

namespace {

std::string nested_arrays(size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

std::string render_on_terminal(std::string_view tmpl, const Received& r) {
    std::string out;
    make_template_formatter(tmpl, true)->append(r, out);
    return out;
}

}  // namespace

TEST_CASE("template: a payload past the depth limit has no {data}, and the next one does") {
    constexpr size_t limit = amr::message::max_json_depth;
    const auto formatter = make_template_formatter("{data}|{data.0}|{payload}\n");
    for (size_t depth : {limit - 1, limit, limit + 1, size_t{1'000'000}}) {
        CAPTURE(depth);
        const std::string deep = "[" + nested_arrays(depth - 1) + "]";
        std::string out;
        formatter->append(message("c", deep), out);
        if (depth <= limit) {
            CHECK(out == deep + "|" + nested_arrays(depth - 1) + "|" + deep + "\n");
        } else {
            CHECK(out == "||" + deep + "\n");
        }
        out.clear();
        formatter->append(message("c", R"([{"a":1}])"), out);
        CHECK(out == R"([{"a":1}]|{"a":1}|[{"a":1}])"
                     "\n");
    }
}

TEST_CASE("template on a terminal: placeholders escaped, the template's own text not") {
    const Received m = pmessage("p\x1b*", "\x1b]0;pwned\a", "a\x1b[2J\n\xFF");
    CHECK(render_on_terminal("\\e[1m{channel}\\e[0m {pattern} {payload}\\n", m) ==
          "\x1b[1m\\x1b]0;pwned\\a\x1b[0m p\\x1b* a\\x1b[2J\\n\\xff\n");
    const Received j = message("c", R"({"s":"\u001b[2J","o":{"k":"\u009b"},"d":"\u007f"})");
    CHECK(render_on_terminal("{data.s}|{data.o}|{data.d}", j) ==
          "\\x1b[2J|{\"k\":\"\\xc2\\x9b\"}|\\x7f");
    CHECK(render_on_terminal("{data}", j) ==
          R"({"s":"\u001B[2J","o":{"k":"\xc2\x9b"},"d":"\x7f"})");
    // Through a pipe, the exact bytes.
    CHECK(render("{channel} {payload} {data.s}", message("\x1b]0;x\a", R"({"s":"\u001b"})")) ==
          "\x1b]0;x\a {\"s\":\"\\u001b\"} \x1b");
}
