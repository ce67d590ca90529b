#include <doctest/doctest.h>

#include <string>

#include "error.hpp"
#include "message/json_check.hpp"
#include "message/reply_to.hpp"

using amr::Error;
using amr::ErrorKind;
using amr::message::add_reply_field;
using amr::message::find_reply_address;

namespace {

std::string error_of(std::string_view request, std::string_view field = "reply_to") {
    try {
        add_reply_field(request, field, "amr:reply:1");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        return e.what();
    }
    return "no error";
}

std::string problem_of(std::string_view request, std::string_view field = "reply_to") {
    const auto address = find_reply_address(request, field);
    CHECK_FALSE(address.channel);
    return address.problem;
}

}  // namespace

TEST_CASE("add_reply_field adds the field last and keeps every other byte") {
    CHECK(add_reply_field(R"({"a":1.0,"b":[1e5,-0]})", "reply_to", "amr:reply:x") ==
          R"({"a":1.0,"b":[1e5,-0],"reply_to":"amr:reply:x"})");
    CHECK(add_reply_field("{}", "reply_to", "c") == R"({"reply_to":"c"})");
    CHECK(add_reply_field(" {\n  \"a\": \"\\u00e9\"\n}\n", "to", "c") ==
          " {\n  \"a\": \"\\u00e9\"\n,\"to\":\"c\"}\n");
    CHECK(add_reply_field("{ }", "r", "c") == R"({ "r":"c"})");
}

TEST_CASE("add_reply_field writes the field name and channel as JSON strings") {
    const std::string out = add_reply_field("{}", "re\"ply", std::string("a\\b\n\0c", 6));
    CHECK(out == "{\"re\\\"ply\":\"a\\\\b\\n\\u0000c\"}");
    CHECK_FALSE(amr::message::check_json(out));
    const auto address = find_reply_address(out, "re\"ply");
    REQUIRE(address.channel);
    CHECK(*address.channel == std::string("a\\b\n\0c", 6));
}

TEST_CASE("add_reply_field refuses what is not a JSON object, or has the field already") {
    CHECK(error_of("[1]") == "the request must be a JSON object, not an array");
    CHECK(error_of("12") == "the request must be a JSON object, not a number");
    CHECK(error_of("\"x\"") == "the request must be a JSON object, not a string");
    CHECK(error_of("{").starts_with("the request is not valid JSON at byte 1"));
    CHECK(error_of(R"({"reply_to":5})") == "the request already has a field 'reply_to'");
    CHECK(error_of(R"({"reply\u005fto":"x"})") == "the request already has a field 'reply_to'");
    CHECK(error_of(R"({"reply_to":5})", "to") == "no error");
    CHECK(error_of("{}", "\xff") == "--reply-field is not UTF-8, so JSON cannot carry it");
}

TEST_CASE("find_reply_address reads the reply channel of a request") {
    const auto address =
        find_reply_address(R"({"x":{"reply_to":"no"},"reply_to":"r:1"})", "reply_to");
    REQUIRE(address.channel);
    CHECK(*address.channel == "r:1");
    const auto other = find_reply_address(R"({"to":"t"})", "to");
    REQUIRE(other.channel);
    CHECK(*other.channel == "t");
}

TEST_CASE("find_reply_address says why a request has no reply channel") {
    CHECK(problem_of("hello").starts_with("not JSON (at byte 0: "));
    CHECK(problem_of("[]") == "not a JSON object but an array");
    CHECK(problem_of(R"({"a":1})") == "no field 'reply_to'");
    CHECK(problem_of(R"({"reply_to":1.5})") == "field 'reply_to' is a number, not a string");
    CHECK(problem_of(R"({"reply_to":null})") == "field 'reply_to' is null, not a string");
    CHECK(problem_of(R"({"reply_to":{}})") == "field 'reply_to' is an object, not a string");
    CHECK(problem_of(R"({"reply_to":""})") == "field 'reply_to' is empty");
    CHECK(problem_of(std::string(200, '[')).starts_with("not JSON (at byte "));
}
