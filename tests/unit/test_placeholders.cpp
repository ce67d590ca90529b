#include <doctest/doctest.h>

#include <chrono>
#include <regex>
#include <set>
#include <string>

#include "error.hpp"
#include "message/placeholders.hpp"

using amr::Error;
using amr::ErrorKind;
using amr::message::PlaceholderContext;
using amr::message::Placeholders;
using amr::message::uuid_v4;

namespace {

// 2025-12-02 00:23:45.118729 UTC
amr::util::SystemTime sample_time() {
    return amr::util::SystemTime(std::chrono::microseconds(1764635025118729LL));
}

std::string render(std::string_view text, std::uint64_t count = 1) {
    static std::mt19937_64 random(42);
    PlaceholderContext c{count, sample_time(), "host-1", &random};
    return Placeholders::parse(text, "MESSAGE").render(c);
}

std::string error_of(std::string_view text) {
    try {
        Placeholders::parse(text, "MESSAGE");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("placeholders: a text without any is constant and renders to itself") {
    for (std::string_view text : {"", "hello", "{\"a\":{\"b\":1}}", "}} {", "{x}", "{ {count} }"}) {
        CHECK(Placeholders::parse(text, "MESSAGE").constant());
        CHECK(render(text) == text);
    }
}

TEST_CASE("placeholders: count, time, utc, unix, unix_ms, hostname") {
    CHECK(render("{\"seq\":{{count}}}", 7) == "{\"seq\":7}");
    CHECK(render("{{ count }}", 18446744073709551615ULL) == "18446744073709551615");
    CHECK(render("{{unix}}") == "1764635025");
    CHECK(render("{{unix_ms}}") == "1764635025118");
    CHECK(render("{{utc}}") == "2025-12-02T00:23:45.118729Z");
    CHECK(render("at {{hostname}}.") == "at host-1.");
    // Local time as the lab's timestamp: date, T, time, six fraction digits, no zone.
    CHECK(std::regex_match(render("{{time}}"),
                           std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.118729)")));
    CHECK_FALSE(Placeholders::parse("a{{count}}b", "MESSAGE").constant());
}

TEST_CASE("placeholders: {{{{ is a literal {{, and nothing after it is a placeholder") {
    CHECK(render("{{{{count}}") == "{{count}}");
    CHECK(render("{{{{{{count}}") == "{{1");
    CHECK(Placeholders::parse("{{{{", "MESSAGE").constant());
    CHECK(render("{{{{") == "{{");
}

TEST_CASE("placeholders: random A B stays within A and B, both ends reached") {
    std::set<std::string> seen;
    for (int i = 0; i < 500; ++i) seen.insert(render("{{random 1 3}}"));
    CHECK(seen == std::set<std::string>{"1", "2", "3"});
    CHECK(render("{{random -5 -5}}") == "-5");
    std::string wide = render("{{random -9223372036854775808 9223372036854775807}}");
    CHECK(std::regex_match(wide, std::regex(R"(-?\d{1,19})")));
}

TEST_CASE("placeholders: uuid is a version 4 UUID, fresh each time") {
    std::mt19937_64 random(1);
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        std::string u = uuid_v4(random);
        CHECK(std::regex_match(
            u, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
        seen.insert(u);
    }
    CHECK(seen.size() == 100);
    CHECK(render("{{uuid}}") != render("{{uuid}}"));
}

TEST_CASE("placeholders: a bad placeholder is a usage error naming the byte") {
    CHECK(error_of("{\"seq\":{{cnt}}}") == "MESSAGE: unknown placeholder {{cnt}} at byte 7");
    CHECK(error_of("ab{{count") == "MESSAGE: a {{ with no }} after it at byte 2");
    CHECK(error_of("{{}}") == "MESSAGE: unknown placeholder {{}} at byte 0");
    CHECK(error_of("x{{random 5 1}}").find("at byte 1") != std::string::npos);
    CHECK(error_of("{{random 1}}").find("two whole numbers") != std::string::npos);
    CHECK(error_of("{{random 1 99999999999999999999}}").find("two whole numbers") !=
          std::string::npos);
    CHECK(error_of("{{count 2}}") ==
          "MESSAGE: {{count}} takes no argument (got {{count 2}}) at byte 0");
    // Bytes that are not printable are not quoted: a NUL would cut the message short.
    CHECK(error_of(std::string("x{{random 1\0\x01 2}}", 17)) ==
          "MESSAGE: {{random A B}} needs two whole numbers, A at most B (got a placeholder of "
          "16 bytes with one that is not printable) at byte 1");
    CHECK(error_of("{{\x1b[2J}}") ==
          "MESSAGE: unknown placeholder a placeholder of 8 bytes with one that is not printable "
          "at byte 0");
    // A {{ far from any }} is unclosed, not a long name.
    CHECK(error_of("{{" + std::string(100, 'a') + "}}") ==
          "MESSAGE: a {{ with no }} after it at byte 0");
}

TEST_CASE("placeholders: uses_time says whether the time matters") {
    using amr::message::Placeholders;
    for (const char* text : {"{{time}}", "a{{utc}}", "{{unix}}", "{{count}} {{unix_ms}}"}) {
        CAPTURE(text);
        CHECK(Placeholders::parse(text, "MESSAGE").uses_time());
    }
    for (const char* text :
         {"plain", "{{count}}", "{{uuid}} {{random 1 2}} {{hostname}}", "{{{{time}}"}) {
        CAPTURE(text);
        CHECK_FALSE(Placeholders::parse(text, "MESSAGE").uses_time());
    }
}
