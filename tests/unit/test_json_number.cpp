// What amr re-writes from JSON it read keeps each number as written, and a lone low
// surrogate escape is not JSON to amr (docs/FUZZING.md findings 2 and 5; the inputs are
// tests/fuzz/corpus/json/finding-* and corpus/formatter/finding-*).
#include <doctest/doctest.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

#include "error.hpp"
#include "message/builder.hpp"
#include "message/json_check.hpp"
#include "message/json_number.hpp"
#include "output/formatter.hpp"
#include "output/template.hpp"

using amr::message::check_json;
using amr::message::compact_json;
using amr::message::indent_json;
using amr::message::parse_json;
using amr::output::Format;
using amr::output::Received;

namespace {

std::string compact(std::string_view text) {
    rapidjson::StringBuffer out;
    REQUIRE(compact_json(text, out));
    return std::string(out.GetString(), out.GetSize());
}

// parse_json, then written out again through ExactWriter.
std::string reparsed(std::string_view text) {
    rapidjson::Document doc;
    REQUIRE_FALSE(parse_json(text, doc));
    rapidjson::StringBuffer out;
    amr::message::ExactWriter<rapidjson::Writer<rapidjson::StringBuffer>> writer(out);
    REQUIRE(doc.Accept(writer));
    return std::string(out.GetString(), out.GetSize());
}

Received message(std::string_view payload) {
    Received r;
    r.channel = "ch";
    r.payload = payload;
    r.received_at = amr::util::SystemTime(std::chrono::milliseconds(1764000000123));
    return r;
}

std::string json_line(std::string_view payload) {
    std::string out;
    amr::output::make_formatter(Format::json, {})->append(message(payload), out);
    return out;
}

std::string rendered(std::string_view tmpl, std::string_view payload) {
    std::string out;
    amr::output::make_template_formatter(tmpl)->append(message(payload), out);
    return out;
}

// RapidJSON 1.1's full-precision strtod misread these (0e55 as 7.922816251426434e28,
// -0. and 34 zeros as -1.17e-243, the 21-digit integer as -2.0e264, 1e-324 as NaN).
const char* const misread[] = {
    "0e55",
    "-0.0000000000000000000000000000000000",
    "-0.0184467440737095516159",
    "184467440737095516159",
    "1e-324",
    "0e-55",
};

}  // namespace

TEST_CASE("compact_json and indent_json copy numbers as written (finding 2)") {
    for (const char* number : misread) {
        CAPTURE(number);
        CHECK(compact(number) == number);
        CHECK(indent_json(number) == number);
        const std::string array = std::string("[") + number + ",1.0,1e5,-0,1E+2]";
        CHECK(compact(array) == array);
        CHECK(compact(indent_json(array)) == array);
    }
    CHECK(compact("{ \"price\" : 0e55 }") == "{\"price\":0e55}");
    CHECK(indent_json("{\"a\":[1.50,-0.0]}") == "{\n  \"a\": [\n    1.50,\n    -0.0\n  ]\n}");
}

TEST_CASE("parse_json keeps numbers as written for what writes the document out") {
    CHECK(reparsed("{\"price\":0e55,\"n\":[184467440737095516159,1.0,-0]}") ==
          "{\"price\":0e55,\"n\":[184467440737095516159,1.0,-0]}");
    rapidjson::Document doc;
    REQUIRE_FALSE(parse_json("[0e55,\"0e55\"]", doc));
    CHECK(amr::message::raw_number(doc[0]) == "0e55");
    CHECK_FALSE(amr::message::is_text(doc[0]));
    CHECK_FALSE(amr::message::raw_number(doc[1]));
    CHECK(amr::message::is_text(doc[1]));
}

TEST_CASE("numbers are still checked: malformed ones and 1e400 are not JSON") {
    for (const char* bad : {"01", "1.", "-", "1e", "+1", ".5", "1e+", "0x10"}) {
        CAPTURE(bad);
        CHECK(check_json(bad));
    }
    // Too big for a double: RapidJSON refuses it, and so does amr (docs/FUZZING.md).
    const auto big = check_json("[1e400]");
    REQUIRE(big);
    CHECK(big->offset == 1);
    CHECK(big->reason == "Number too big to be stored in double.");
}

TEST_CASE("-o json, templates and pretty output show a number as written (finding 2)") {
    // tests/fuzz/corpus/formatter/finding-zero-printed-as-7.9e28
    CHECK(json_line("{\"price\":0e55}").find("\"data\":{\"price\":0e55}") != std::string::npos);
    CHECK(json_line("{\"price\": 184467440737095516159, \"x\": 1e5}")
              .find("\"data\":{\"price\":184467440737095516159,\"x\":1e5}") != std::string::npos);
    // corpus/formatter/finding-1e-324-read-as-nan: it was shown as the string "1e-324".
    CHECK(json_line("1e-324").find("\"data\":1e-324") != std::string::npos);
    CHECK(rendered("{data} {data.price} {data.a.1}", "{\"price\":0e55,\"a\":[1,1.0]}") ==
          "{\"price\":0e55,\"a\":[1,1.0]} 0e55 1.0");
    std::string pretty;
    amr::output::make_formatter(Format::pretty, {})->append(message("{\"event\":0e55}"), pretty);
    CHECK(pretty.find("Event: 0e55") != std::string::npos);
}

TEST_CASE("-f KEY:=JSON keeps the number as written; a string starting with 0xFF is refused") {
    amr::message::MessageSpec spec;
    spec.fields = {"price:=0e55", "big:=184467440737095516159", "list:=[1.0,-0]"};
    CHECK(amr::message::build_message(spec, {}) ==
          "{\"price\":0e55,\"big\":184467440737095516159,\"list\":[1.0,-0]}");
    spec.fields = {
        "s=\xff"
        "1"};
    CHECK_THROWS_WITH_AS(amr::message::build_message(spec, {}),
                         "--event or -f: text is not valid UTF-8", amr::Error);
    spec.fields = {};
    spec.event =
        "\xff"
        "1";
    CHECK_THROWS_WITH_AS(amr::message::build_message(spec, {}),
                         "--event or -f: text is not valid UTF-8", amr::Error);
}

// tests/fuzz/corpus/json/finding-lone-low-surrogate: RapidJSON 1.1 accepts "\udd00" and
// decodes it to ED B4 80, not UTF-8, which -o json then printed.
TEST_CASE("check_json: a lone surrogate escape is not JSON to amr, naming its byte (finding 5)") {
    const auto low = check_json("\"\\udd00\\udd00 \"");
    REQUIRE(low);
    CHECK(low->offset == 1);
    CHECK(low->reason ==
          "a lone low surrogate escape (\\uDC00 to \\uDFFF without a high one before it; not "
          "JSON to amr)");
    const auto later = check_json("{\"k\":[\"\\n\\ud83d\\ude00\",\"a\\\\udc00\\udfff\"]}");
    REQUIRE(later);
    CHECK(later->offset == 32);
    const auto key = check_json("{\"\\uDC00\":1}");
    REQUIRE(key);
    CHECK(key->offset == 2);
    // A lone high one RapidJSON refuses itself.
    const auto high = check_json("\"\\ud800\"");
    REQUIRE(high);
    CHECK(high->reason == "The surrogate pair in string is invalid.");
    // A pair is one code point.
    CHECK_FALSE(check_json("\"\\ud83d\\ude00\""));
    CHECK(compact("\"\\ud83d\\ude00\"") == "\"\xf0\x9f\x98\x80\"");
    rapidjson::StringBuffer out;
    CHECK_FALSE(compact_json("[\"\\udd00\"]", out));
    rapidjson::Document doc;
    CHECK(parse_json("[\"\\udd00\"]", doc));
    CHECK(indent_json("[\"\\udd00\"]") == "[\"\\udd00\"]");
}

TEST_CASE("-o json shows a payload with a lone low surrogate as text, valid JSON (finding 5)") {
    // tests/fuzz/corpus/formatter/finding-lone-low-surrogate
    const std::string line = json_line("\"\\udd00\"");
    CHECK(line.find("\"data\":\"\\\"\\\\udd00\\\"\"") != std::string::npos);
    CHECK_FALSE(check_json(std::string_view(line).substr(0, line.size() - 1)));
}
