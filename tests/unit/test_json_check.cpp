#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "message/json_check.hpp"

using amr::Error;
using amr::ErrorKind;
using amr::message::check_json;
using amr::message::indent_json;
using amr::message::require_json;

using namespace std::string_view_literals;

namespace {

// The byte offset check_json reports, or -1 when it accepts the text.
long problem_offset(std::string_view text) {
    auto problem = check_json(text);
    return problem ? static_cast<long>(problem->offset) : -1;
}

}  // namespace

TEST_CASE("check_json: valid values of every kind") {
    for (std::string_view text :
         {"null"sv, "true"sv, "false"sv, "0"sv, "-1"sv, "3.25"sv, "-1.5e10"sv, "1E-3"sv,
          "12345678901234567890"sv, "\"\""sv, "\"text\""sv, "\"esc \\\" \\\\ \\/ \\n \\u00e9\""sv,
          "\"Z\xC3\xBCrich \xE2\x82\xAC \xF0\x9F\x98\x80\""sv, "\"\\ud83d\\ude00\""sv, "[]"sv,
          "{}"sv, "[1,\"a\",null,true,{\"k\":[]}]"sv,
          R"({"event":"order_created","total":129.99,"nested":{"a":[1,2,{"b":null}]}})"sv}) {
        CAPTURE(text);
        CHECK_FALSE(check_json(text).has_value());
    }
}

TEST_CASE("check_json: whitespace around the value is allowed") {
    CHECK_FALSE(check_json(" \t\r\n{\"a\": 1}\n\n ").has_value());
    CHECK_FALSE(check_json("\n42\n").has_value());
}

TEST_CASE("check_json: empty input") {
    auto empty = check_json("");
    REQUIRE(empty.has_value());
    CHECK_FALSE(empty->too_deep);
    CHECK(empty->offset == 0);
    CHECK(empty->reason == "The document is empty.");
    auto blanks = check_json("   \n");
    REQUIRE(blanks.has_value());
    CHECK(blanks->offset == 4);
    CHECK(blanks->reason == "The document is empty.");
}

TEST_CASE("check_json: exact byte offsets of errors") {
    CHECK(problem_offset("{") == 1);
    CHECK(problem_offset("{\"a\":}") == 5);
    CHECK(problem_offset("{\"a\" 1}") == 5);
    CHECK(problem_offset("{a:1}") == 1);
    CHECK(problem_offset("{\"a\":1,}") == 7);
    CHECK(problem_offset("[1,2") == 4);
    CHECK(problem_offset("[1,]") == 3);
    CHECK(problem_offset("[1 2]") == 3);
    CHECK(problem_offset("tru") == 3);
    CHECK(problem_offset("nul") == 3);
    CHECK(problem_offset("hello") == 0);
    CHECK(problem_offset("'single'") == 0);
    CHECK(problem_offset("\"abc") == 4);
    CHECK(problem_offset("\"\\x\"") == 1);
    CHECK(problem_offset("-") == 1);
    CHECK(problem_offset("1.") == 2);
    CHECK(problem_offset("{\"a\":[1,{\"b\":tru}]}") == 16);  // where "e" is missing
}

TEST_CASE("check_json: reasons are RapidJSON's English text") {
    auto invalid = check_json("{\"a\":}");
    REQUIRE(invalid.has_value());
    CHECK(invalid->reason == "Invalid value.");
    auto missing = check_json("[1,2");
    REQUIRE(missing.has_value());
    CHECK(missing->reason == "Missing a comma or ']' after an array element.");
}

TEST_CASE("check_json: trailing garbage after one complete value") {
    auto two = check_json("1 2");
    REQUIRE(two.has_value());
    CHECK(two->offset == 2);
    CHECK(two->reason == "The document root must not be followed by other values.");
    CHECK(problem_offset("{} x") == 3);
    CHECK(problem_offset("{}{}") == 2);
    CHECK(problem_offset("\"a\"\"b\"") == 3);
    CHECK(problem_offset("01") == 1);
    CHECK(problem_offset("[1]]") == 3);
}

TEST_CASE("check_json: embedded NUL bytes") {
    auto after = check_json("{}\0{}"sv);
    REQUIRE(after.has_value());
    CHECK(after->offset == 2);
    CHECK(after->reason == "Unexpected NUL byte.");
    CHECK(problem_offset("{\"a\":1}\0"sv) == 7);
    CHECK(problem_offset("\0"sv) == 0);
    CHECK(problem_offset("\"a\0b\""sv) == 2);
    CHECK(problem_offset("[1,\0 2]"sv) == 3);
    CHECK(problem_offset("1 \0"sv) == 2);
}

TEST_CASE("check_json: control characters inside strings") {
    CHECK(problem_offset("\"a\x01z\"") == 2);
    CHECK(problem_offset("\"line\nbreak\"") == 5);
    CHECK(problem_offset("\"tab\there\"") == 4);
}

TEST_CASE("check_json: invalid UTF-8 inside strings") {
    CHECK(problem_offset("\"a\xFFz\"") == 2);
    CHECK(problem_offset("\"\xC3\"") == 1);                       // truncated sequence
    CHECK(problem_offset("\"ok \xC0\xAF\"") == 4);                // overlong '/'
    CHECK(problem_offset("\"\xED\xA0\x80\"") == 1);               // UTF-16 surrogate
    CHECK(problem_offset("{\"k\xFE\":1}") == 3);                  // in a key
    CHECK(problem_offset("[\"ok\",\"\xF5\x80\x80\x80\"]") == 7);  // beyond U+10FFFF
    auto problem = check_json("\"a\xFFz\"");
    REQUIRE(problem.has_value());
    CHECK(problem->reason == "Invalid encoding in string.");
}

TEST_CASE("require_json: accepts JSON, rejects the rest naming the byte") {
    CHECK_NOTHROW(require_json("{\"a\":1}", "the message"));
    try {
        require_json("{\"event\": oops}", "the message");
        FAIL("accepted invalid JSON");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        CHECK(std::string(e.what()) == "the message is not valid JSON at byte 10: Invalid value.");
        CHECK(e.hint() == "use --raw to send it as it is");
    }
    try {
        require_json("", "stdin");
        FAIL("accepted empty input");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "stdin is not valid JSON at byte 0: The document is empty.");
    }
    try {
        require_json("[1] [2]", "MESSAGE");
        FAIL("accepted two values");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).starts_with("MESSAGE is not valid JSON at byte 4: "));
    }
}

TEST_CASE("indent_json: nested object like Python's json.dumps(indent=2)") {
    CHECK(indent_json("{\"a\":1,\"b\":[1,2]}") ==
          "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}");
    CHECK(indent_json(R"({"event":"order_created","order_id":"ORD-1","customer":"Jane Doe",)"
                      R"("total":129.99,"meta":{"tags":["x","y"],"ok":true,"none":null}})") ==
          "{\n"
          "  \"event\": \"order_created\",\n"
          "  \"order_id\": \"ORD-1\",\n"
          "  \"customer\": \"Jane Doe\",\n"
          "  \"total\": 129.99,\n"
          "  \"meta\": {\n"
          "    \"tags\": [\n"
          "      \"x\",\n"
          "      \"y\"\n"
          "    ],\n"
          "    \"ok\": true,\n"
          "    \"none\": null\n"
          "  }\n"
          "}");
}

TEST_CASE("indent_json: empty containers and scalars") {
    CHECK(indent_json("{}") == "{}");
    CHECK(indent_json("[]") == "[]");
    CHECK(indent_json("{\"a\":[],\"b\":{}}") == "{\n  \"a\": [],\n  \"b\": {}\n}");
    CHECK(indent_json("42") == "42");
    CHECK(indent_json("\"s\"") == "\"s\"");
    CHECK(indent_json("null") == "null");
}

TEST_CASE("indent_json: reformats whitespace and keeps strings and numbers") {
    CHECK(indent_json("  { \"k\" :\n\"v \\\" \\\\ \\n\" , \"n\" : 1.5 }  ") ==
          "{\n  \"k\": \"v \\\" \\\\ \\n\",\n  \"n\": 1.5\n}");
    CHECK(indent_json("{\"city\":\"Z\xC3\xBCrich\"}") == "{\n  \"city\": \"Z\xC3\xBCrich\"\n}");
}

TEST_CASE("indent_json: other indent widths") {
    CHECK(indent_json("[1,[2]]", 4) == "[\n    1,\n    [\n        2\n    ]\n]");
}

TEST_CASE("indent_json: text that is not JSON comes back unchanged") {
    CHECK(indent_json("not json") == "not json");
    CHECK(indent_json("") == "");
    CHECK(indent_json("{\"a\":1} trailing") == "{\"a\":1} trailing");
    CHECK(indent_json("{\"a\":1}\0x"sv) == std::string("{\"a\":1}\0x", 9));
    CHECK(indent_json("\"\xFF\"") == "\"\xFF\"");
}

// The quick scan check_json tries first (publish --lines).

namespace quick_scan {

// rapidjson's verdict with check_json's flags, without the quick scan.
bool full_parser_accepts(const std::string& text) {
    rapidjson::Reader reader;
    rapidjson::BaseReaderHandler<> handler;
    rapidjson::MemoryStream stream(text.data(), text.size());
    // Numbers as strings, as amr parses: RapidJSON 1.1's full-precision strtod is never
    // reached (its undefined behaviour, docs/FUZZING.md finding 2).
    constexpr unsigned flags =
        rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag;
    return !reader.Parse<flags>(stream, handler).IsError() && stream.Tell() == text.size();
}

}  // namespace quick_scan

using quick_scan::full_parser_accepts;

TEST_CASE("plainly_valid accepts the usual one-line events") {
    for (const std::string& text : std::vector<std::string>{
             R"({"event":"order_created","order_id":"ORD-1","customer":"Jane Doe","total":129.99})",
             R"( {"a": [1, -2, 0, 3.25, true, false, null, {}, []], "b": {"c": "d\"e\\f\/g\n"}} )",
             R"("just a string")",
             "12",
             "-0.5",
             "null",
             "[]",
             "{}",
         }) {
        CAPTURE(text);
        CHECK(amr::message::plainly_valid(text));
        CHECK_FALSE(amr::message::check_json(text).has_value());
    }
}

TEST_CASE("plainly_valid leaves to the full parser what it does not surely know") {
    for (const std::string& text : std::vector<std::string>{
             "",
             " ",
             "{",
             "[1,]",
             "{\"a\":1,}",
             "01",
             "1.",
             "-",
             "1e5",
             "\"\\u00e9\"",
             "\"caf\xc3\xa9\"",
             "\"\x01\"",
             "tru",
             "nulls",
             "[1 2]",
             "{\"a\" 1}",
             "{1:2}",
             std::string("{}\0", 3),
             std::string(65, '['),
             std::string(100, '1'),
         }) {
        CAPTURE(text);
        CHECK_FALSE(amr::message::plainly_valid(text));
    }
}

TEST_CASE("check_json finds the same problems with or without the quick scan") {
    CHECK(amr::message::check_json("{\"a\":1,}")->offset == 7);
    CHECK(amr::message::check_json("[1 2]")->offset == 3);
    CHECK(amr::message::check_json("\"caf\xc3\xa9\"") == std::nullopt);
    CHECK(amr::message::check_json("\"caf\xc3\"")->reason == "Invalid encoding in string.");
    CHECK(amr::message::check_json("1e5") == std::nullopt);
    CHECK(amr::message::check_json("\"\\u00e9\"") == std::nullopt);
}

TEST_CASE("plainly_valid never accepts what the full parser rejects (random texts)") {
    const std::vector<std::string> pieces = {
        "{",    "}",     "[",  "]",    ",",    ":",        " ",    "\"", "\"k\"", "\"v w\"", "\\",
        "\\n",  "\\u12", "0",  "1",    "-",    ".",        "5",    "e",  "E",     "+",       "true",
        "fals", "null",  "\t", "\r\n", "\x7f", "\xc3\xa9", "\x01", "x",  "1.5",   "-0",      "00",
    };
    std::mt19937 random(20261125);
    std::uniform_int_distribution<size_t> piece(0, pieces.size() - 1);
    std::uniform_int_distribution<int> length(1, 12);
    int accepted = 0;
    for (int i = 0; i < 200000; ++i) {
        std::string text;
        for (int n = length(random); n > 0; --n) text += pieces[piece(random)];
        if (amr::message::plainly_valid(text)) {
            ++accepted;
            CAPTURE(text);
            REQUIRE(full_parser_accepts(text));
        }
        // And check_json agrees with the full parser either way.
        REQUIRE(amr::message::check_json(text).has_value() != full_parser_accepts(text));
    }
    CHECK(accepted > 100);
}

// Depth: arrays and objects nested up to limit are JSON to amr, deeper are not, and
// no depth crashes a parser.

namespace {

using amr::message::compact_json;
using amr::message::max_json_depth;
using amr::message::parse_json;

std::string nested_arrays(size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

// {"a":{"a":...{"a":1}...}}: `depth` objects.
std::string nested_objects(size_t depth) {
    std::string text;
    for (size_t i = 0; i < depth; ++i) text += "{\"a\":";
    text += "1";
    return text + std::string(depth, '}');
}

constexpr size_t million = 1'000'000;
constexpr size_t limit = max_json_depth;

}  // namespace

TEST_CASE("check_json: nesting up to the limit is JSON, past it names the depth and byte") {
    CHECK(limit == 128);
    for (size_t depth : {size_t{1}, size_t{64}, size_t{65}, limit - 1, limit}) {
        CAPTURE(depth);
        CHECK_FALSE(check_json(nested_arrays(depth)).has_value());
        CHECK_FALSE(check_json(nested_objects(depth)).has_value());
    }
    for (size_t depth : {limit + 1, size_t{10000}, million}) {
        CAPTURE(depth);
        auto arrays = check_json(nested_arrays(depth));
        REQUIRE(arrays.has_value());
        CHECK(arrays->offset == limit);  // the first bracket too many
        CHECK(arrays->reason == "arrays and objects nested more than 128 deep (amr's limit)");
        CHECK(arrays->too_deep);
        auto objects = check_json(nested_objects(depth));
        REQUIRE(objects.has_value());
        CHECK(objects->offset == limit * 5);
        CHECK(objects->reason.find("128") != std::string::npos);
    }
}

TEST_CASE("check_json: a million unclosed brackets, and depth that rises and falls") {
    auto open = check_json(std::string(million, '['));
    REQUIRE(open.has_value());
    CHECK(open->offset == limit);
    CHECK(check_json(std::string(million, '{')).has_value());
    // Many siblings, each at the limit: depth is counted down again on closing.
    std::string siblings = "[";
    for (int i = 0; i < 100; ++i) siblings += (i ? "," : "") + nested_arrays(limit - 1);
    siblings += "]";
    CHECK_FALSE(check_json(siblings).has_value());
    // Mixed, with whitespace and a non-ASCII string at the bottom.
    std::string mixed;
    for (size_t i = 0; i < limit / 2; ++i) mixed += "{ \"k\" : [ ";
    mixed += "\"\xC3\xA9\"";
    for (size_t i = 0; i < limit / 2; ++i) mixed += " ] }";
    CHECK_FALSE(check_json(mixed).has_value());
    CHECK(check_json("[" + mixed + "]").has_value());
}

TEST_CASE("check_json: a lower limit for a value that goes one level down") {
    CHECK_FALSE(check_json(nested_arrays(3), 3).has_value());
    auto problem = check_json(nested_arrays(4), 3);
    REQUIRE(problem.has_value());
    CHECK(problem->offset == 3);
    CHECK(problem->reason == "arrays and objects nested more than 3 deep (amr's limit)");
    // The quick scan knows no limit below its own: the full parser applies it.
    CHECK(check_json("[[1]]", 1).has_value());
}

TEST_CASE("parse_json: a document up to the limit, null and a problem past it") {
    rapidjson::Document doc;
    CHECK_FALSE(parse_json(nested_arrays(limit), doc).has_value());
    const rapidjson::Value* v = &doc;
    for (size_t i = 1; i < limit; ++i) {
        REQUIRE(v->IsArray());
        REQUIRE(v->Size() == 1);
        v = &(*v)[0];
    }
    CHECK(v->IsArray());
    CHECK(v->Empty());
    for (size_t depth : {limit + 1, million}) {
        CAPTURE(depth);
        auto problem = parse_json(nested_arrays(depth), doc);
        REQUIRE(problem.has_value());
        CHECK(problem->offset == limit);
        CHECK(doc.IsNull());
    }
    CHECK(parse_json(std::string("{}\0{}", 5), doc).has_value());
    CHECK(doc.IsNull());
    CHECK_FALSE(parse_json(R"({"event":"x"})", doc).has_value());
    CHECK(doc.IsObject());
}

TEST_CASE("indent_json and compact_json: up to the limit, the text unchanged past it") {
    const std::string deep = nested_arrays(limit);
    const std::string indented = indent_json(deep);
    CHECK(indented.size() > deep.size());
    CHECK(indented.starts_with("[\n  [\n    ["));
    rapidjson::StringBuffer out;
    REQUIRE(compact_json(deep, out));
    CHECK(std::string(out.GetString(), out.GetSize()) == deep);
    for (size_t depth : {limit + 1, million}) {
        CAPTURE(depth);
        const std::string text = nested_arrays(depth);
        CHECK(indent_json(text) == text);
        CHECK_FALSE(compact_json(text, out));
    }
}

TEST_CASE("require_json: too deep is a usage error naming the depth") {
    try {
        require_json(nested_arrays(million), "the message");
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        CHECK(std::string(e.what()) ==
              "the message is not valid JSON at byte 128: arrays and objects nested more than "
              "128 deep (amr's limit)");
        CHECK(e.hint() == "use --raw to send it as it is");
    }
}

TEST_CASE("check_json: a number of more than 100 characters is not JSON to amr") {
    // RapidJSON 1.1 read outside its power table on "0." and 350 zeros (SIGSEGV; found by
    // tests/fuzz): amr stops such a number before RapidJSON reads it.
    const std::string crash = "0." + std::string(350, '0');
    for (const std::string& text : {crash, "[1," + crash + "]", "{\"a\":-" + crash + "}"}) {
        auto problem = check_json(text);
        REQUIRE(problem);
        CHECK(problem->reason == "a number of more than 100 characters (amr's limit)");
        CHECK_FALSE(problem->too_deep);
        rapidjson::Document doc;
        CHECK(parse_json(text, doc));
    }
    CHECK(check_json("[1," + crash + "]")->offset == 3);
    // 100 characters are a number; digits inside strings are text, however many.
    CHECK_FALSE(check_json("1" + std::string(99, '0')));
    CHECK_FALSE(check_json("0." + std::string(98, '0')));
    CHECK_FALSE(check_json("[\"" + std::string(1000, '7') + "\", \"\\\"" + crash + "\"]"));
    CHECK_FALSE(check_json("[true,false,null,1e5]"));
}
