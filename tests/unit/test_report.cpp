#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "error.hpp"
#include "output/report.hpp"

using amr::Error;
using amr::ErrorKind;
using amr::output::broadcast_output;
using amr::output::ChannelCount;
using amr::output::OutputMode;
using amr::output::parse_output_mode;
using amr::output::publish_output;
using amr::output::resolve_output_mode;

namespace {

const std::string announcement =
    R"({"event":"system_announcement","message":"System maintenance scheduled for 2 AM",)"
    R"("priority":"high","timestamp":"2025-11-20T12:31:14.906797"})";

const std::string announcement_indented =
    "{\n"
    "  \"event\": \"system_announcement\",\n"
    "  \"message\": \"System maintenance scheduled for 2 AM\",\n"
    "  \"priority\": \"high\",\n"
    "  \"timestamp\": \"2025-11-20T12:31:14.906797\"\n"
    "}";

const std::vector<ChannelCount> lab_counts = {
    {"orders:created", 1}, {"orders:shipped", 0}, {"inventory:alerts", 2}, {"notifications", 3}};

}  // namespace

TEST_CASE("parse_output_mode: the four modes") {
    CHECK(parse_output_mode("auto") == OutputMode::automatic);
    CHECK(parse_output_mode("report") == OutputMode::report);
    CHECK(parse_output_mode("count") == OutputMode::count);
    CHECK(parse_output_mode("json") == OutputMode::json);
}

TEST_CASE("parse_output_mode: an unknown mode is a usage error naming the modes") {
    for (const std::string bad : {"", "Auto", "text", "pretty"}) {
        CAPTURE(bad);
        try {
            parse_output_mode(bad);
            FAIL("accepted an unknown mode");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(std::string(e.what()) == std::string("--output: unknown mode '") + bad + "'");
            CHECK(e.hint() == "modes: auto, report, count, json");
        }
    }
}

TEST_CASE("resolve_output_mode: automatic depends on the terminal, the rest is kept") {
    CHECK(resolve_output_mode(OutputMode::automatic, true) == OutputMode::report);
    CHECK(resolve_output_mode(OutputMode::automatic, false) == OutputMode::count);
    for (OutputMode m : {OutputMode::report, OutputMode::count, OutputMode::json}) {
        CHECK(resolve_output_mode(m, true) == m);
        CHECK(resolve_output_mode(m, false) == m);
    }
}

TEST_CASE("publish_output: count is one integer line") {
    CHECK(publish_output(OutputMode::count, "orders:created", 3, "{}") == "3\n");
    CHECK(publish_output(OutputMode::count, "orders:created", 0, "{}") == "0\n");
    CHECK(publish_output(OutputMode::count, "c", 123456789012LL, "x") == "123456789012\n");
}

TEST_CASE("publish_output: json is channel and receivers") {
    CHECK(publish_output(OutputMode::json, "orders:created", 2, "{}") ==
          "{\"channel\":\"orders:created\",\"receivers\":2}\n");
    CHECK(publish_output(OutputMode::json, "we\"ird\\chan\n", 0, "{}") ==
          "{\"channel\":\"we\\\"ird\\\\chan\\n\",\"receivers\":0}\n");
}

TEST_CASE("publish_output: json stays valid for a channel that is not UTF-8") {
    const std::string out = publish_output(OutputMode::json, "bad\xFF", 1, "{}");
    CHECK(out == "{\"channel\":\"bad\xEF\xBF\xBD\",\"receivers\":1}\n");
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag>(out.c_str());
    CHECK_FALSE(d.HasParseError());
}

TEST_CASE("publish_output: report is the lab's text with the message indented") {
    const std::string order =
        R"({"event":"order_created","order_id":"ORD-20251120123114","customer":"Jane Doe",)"
        R"("total":129.99,"timestamp":"2025-11-20T12:31:14.906797"})";
    CHECK(publish_output(OutputMode::report, "orders:created", 1, order) ==
          "[>] Published to channel: 'orders:created'\n"
          "[#] Active subscribers: 1\n"
          "\n"
          "[i] Message content:\n"
          "{\n"
          "  \"event\": \"order_created\",\n"
          "  \"order_id\": \"ORD-20251120123114\",\n"
          "  \"customer\": \"Jane Doe\",\n"
          "  \"total\": 129.99,\n"
          "  \"timestamp\": \"2025-11-20T12:31:14.906797\"\n"
          "}\n");
}

TEST_CASE("publish_output: report shows a raw message as it is") {
    CHECK(publish_output(OutputMode::report, "c", 0, "plain text") ==
          "[>] Published to channel: 'c'\n"
          "[#] Active subscribers: 0\n"
          "\n"
          "[i] Message content:\n"
          "plain text\n");
}

TEST_CASE("publish_output: report writes control bytes of the channel and message as escapes") {
    // A --file message or a channel name from a script may hold bytes a terminal obeys.
    const std::string out =
        publish_output(OutputMode::report, "t\x1b]0;pwned\a", 1, "line1\nline2\x1b[2J");
    CHECK(out.find('\x1b') == std::string::npos);
    CHECK(out.find('\a') == std::string::npos);
    CHECK(out ==
          "[>] Published to channel: 't\\x1b]0;pwned\\a'\n"
          "[#] Active subscribers: 1\n"
          "\n"
          "[i] Message content:\n"
          "line1\nline2\\x1b[2J\n");
    // json and count stay exact: they are data.
    rapidjson::Document d;
    d.Parse(publish_output(OutputMode::json, "t\x1b", 1, "x").c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["channel"].GetString()) == "t\x1b");
}

TEST_CASE("broadcast_output: report escapes control bytes in channel names") {
    const std::string out = broadcast_output(OutputMode::report, {{"a\x1b[2J", 1}}, "{}");
    CHECK(out.find('\x1b') == std::string::npos);
    CHECK(out.find("Channels: a\\x1b[2J\n") != std::string::npos);
    CHECK(out.find("  - a\\x1b[2J: 1 subscriber(s)\n") != std::string::npos);
    CHECK(broadcast_output(OutputMode::count, {{"a\x1b", 1}}, "{}") == "a\x1b\t1\ntotal\t1\n");
}

TEST_CASE("broadcast_output: count is one CHANNEL<TAB>COUNT line each, then the total") {
    CHECK(broadcast_output(OutputMode::count, lab_counts, announcement) ==
          "orders:created\t1\n"
          "orders:shipped\t0\n"
          "inventory:alerts\t2\n"
          "notifications\t3\n"
          "total\t6\n");
    CHECK(broadcast_output(OutputMode::count, {{"only", 0}}, "x") == "only\t0\ntotal\t0\n");
}

TEST_CASE("broadcast_output: json lists the channels and the total") {
    const std::string out = broadcast_output(OutputMode::json, lab_counts, announcement);
    CHECK(out == R"({"channels":[{"channel":"orders:created","receivers":1},)"
                 R"({"channel":"orders:shipped","receivers":0},)"
                 R"({"channel":"inventory:alerts","receivers":2},)"
                 R"({"channel":"notifications","receivers":3}],"total":6})"
                 "\n");
    rapidjson::Document d;
    d.Parse(out.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["channels"].Size() == 4);
    CHECK(d["total"].GetInt64() == 6);
}

TEST_CASE("broadcast_output: report is the lab's text") {
    CHECK(broadcast_output(OutputMode::report, lab_counts, announcement) ==
          "[>] Broadcast to 4 channels\n"
          "Channels: orders:created, orders:shipped, inventory:alerts, notifications\n"
          "\n"
          "  - orders:created: 1 subscriber(s)\n"
          "  - orders:shipped: 0 subscriber(s)\n"
          "  - inventory:alerts: 2 subscriber(s)\n"
          "  - notifications: 3 subscriber(s)\n"
          "\n"
          "[#] Total subscribers reached: 6\n"
          "\n"
          "[i] Message content:\n" +
              announcement_indented + "\n");
}

TEST_CASE("broadcast_output: large counts are summed without overflow") {
    const std::vector<ChannelCount> big = {{"a", 3000000000LL}, {"b", 3000000000LL}};
    CHECK(broadcast_output(OutputMode::count, big, "x") ==
          "a\t3000000000\nb\t3000000000\ntotal\t6000000000\n");
}
