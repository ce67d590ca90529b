#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include <chrono>
#include <ctime>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "error.hpp"
#include "message/builder.hpp"
#include "message/json_check.hpp"

using amr::Error;
using amr::ErrorKind;
using amr::message::build_message;
using amr::message::builds_message;
using amr::message::find_preset;
using amr::message::MessageSpec;
using amr::message::presets;
using amr::util::SystemTime;

namespace {

// 2025-11-20 12:31:14.906797 local time: the lab's sample.
SystemTime lab_time(int micros = 906797) {
    std::tm tm{};
    tm.tm_year = 2025 - 1900;
    tm.tm_mon = 10;
    tm.tm_mday = 20;
    tm.tm_hour = 12;
    tm.tm_min = 31;
    tm.tm_sec = 14;
    tm.tm_isdst = -1;
    return std::chrono::system_clock::from_time_t(std::mktime(&tm)) +
           std::chrono::microseconds(micros);
}

const char* const lab_stamp = "2025-11-20T12:31:14.906797";

MessageSpec preset(const std::string& name, std::vector<std::string> fields = {}) {
    MessageSpec spec;
    spec.preset = name;
    spec.fields = std::move(fields);
    return spec;
}

MessageSpec event(const std::string& name, std::vector<std::string> fields = {}) {
    MessageSpec spec;
    spec.event = name;
    spec.fields = std::move(fields);
    return spec;
}

std::vector<std::string> member_names(const rapidjson::Document& d) {
    std::vector<std::string> names;
    for (const auto& m : d.GetObject()) names.emplace_back(m.name.GetString());
    return names;
}

rapidjson::Document parse_object(const std::string& text) {
    rapidjson::Document d;
    d.Parse(text.c_str(), text.size());
    REQUIRE_FALSE(d.HasParseError());
    REQUIRE(d.IsObject());
    return d;
}

std::string str(const rapidjson::Value& v) {
    REQUIRE(v.IsString());
    return std::string(v.GetString(), v.GetStringLength());
}

Error build_error(const MessageSpec& spec) {
    try {
        build_message(spec, lab_time());
    } catch (const Error& e) {
        return e;
    }
    FAIL("build_message accepted the spec");
    return Error(ErrorKind::failure, "unreachable");
}

}  // namespace

TEST_CASE("build_message: order_created preset") {
    const std::string text = build_message(preset("order_created"), lab_time());
    CHECK(text == std::string(R"({"event":"order_created","order_id":"ORD-20251120123114",)"
                              R"("customer":"Jane Doe","total":129.99,"timestamp":")") +
                      lab_stamp + "\"}");
    rapidjson::Document d = parse_object(text);
    CHECK(member_names(d) ==
          std::vector<std::string>{"event", "order_id", "customer", "total", "timestamp"});
    CHECK(str(d["event"]) == "order_created");
    CHECK(str(d["order_id"]) == "ORD-20251120123114");
    CHECK(str(d["customer"]) == "Jane Doe");
    REQUIRE(d["total"].IsDouble());
    CHECK(d["total"].GetDouble() == 129.99);
    CHECK(str(d["timestamp"]) == lab_stamp);
}

TEST_CASE("build_message: order_shipped preset") {
    rapidjson::Document d = parse_object(build_message(preset("order_shipped"), lab_time()));
    CHECK(member_names(d) ==
          std::vector<std::string>{"event", "order_id", "tracking_number", "carrier", "timestamp"});
    CHECK(str(d["event"]) == "order_shipped");
    CHECK(str(d["order_id"]) == "ORD-20251120123114");
    CHECK(str(d["tracking_number"]) == "TRK-123114");
    CHECK(str(d["carrier"]) == "FastShip");
    CHECK(str(d["timestamp"]) == lab_stamp);
}

TEST_CASE("build_message: inventory_low preset") {
    const std::string text = build_message(preset("inventory_low"), lab_time());
    CHECK(text == std::string(R"({"event":"inventory_low","product_id":"PROD-12345",)"
                              R"("product_name":"Wireless Headphones","current_stock":5,)"
                              R"("threshold":10,"timestamp":")") +
                      lab_stamp + "\"}");
    rapidjson::Document d = parse_object(text);
    CHECK(member_names(d) == std::vector<std::string>{"event", "product_id", "product_name",
                                                      "current_stock", "threshold", "timestamp"});
    REQUIRE(d["current_stock"].IsInt());
    CHECK(d["current_stock"].GetInt() == 5);
    REQUIRE(d["threshold"].IsInt());
    CHECK(d["threshold"].GetInt() == 10);
}

TEST_CASE("build_message: customer_notification preset") {
    rapidjson::Document d =
        parse_object(build_message(preset("customer_notification"), lab_time()));
    CHECK(member_names(d) == std::vector<std::string>{"event", "notification_id", "customer_id",
                                                      "type", "message", "timestamp"});
    CHECK(str(d["event"]) == "customer_notification");
    CHECK(str(d["notification_id"]) == "NOT-20251120123114");
    CHECK(str(d["customer_id"]) == "CUST-789");
    CHECK(str(d["type"]) == "promotional");
    CHECK(str(d["message"]) == "Flash sale: 20% off on selected items!");
    CHECK(str(d["timestamp"]) == lab_stamp);
}

TEST_CASE("build_message: system_announcement preset") {
    const std::string text = build_message(preset("system_announcement"), lab_time());
    CHECK(text == std::string(R"({"event":"system_announcement",)"
                              R"("message":"System maintenance scheduled for 2 AM",)"
                              R"("priority":"high","timestamp":")") +
                      lab_stamp + "\"}");
    rapidjson::Document d = parse_object(text);
    CHECK(member_names(d) == std::vector<std::string>{"event", "message", "priority", "timestamp"});
}

TEST_CASE("build_message: every preset is valid JSON with a lab timestamp") {
    const std::regex iso(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6})");
    for (const auto& p : presets()) {
        CAPTURE(p.name);
        const std::string text = build_message(preset(std::string(p.name)), lab_time());
        CHECK_FALSE(amr::message::check_json(text).has_value());
        rapidjson::Document d = parse_object(text);
        CHECK(str(d["event"]) == p.name);
        CHECK(std::regex_match(str(d["timestamp"]), iso));
        CHECK(member_names(d).front() == "event");
        CHECK(member_names(d).back() == "timestamp");
    }
}

TEST_CASE("build_message: timestamp keeps six digits of microseconds") {
    rapidjson::Document zero = parse_object(build_message(event("e"), lab_time(0)));
    CHECK(str(zero["timestamp"]) == "2025-11-20T12:31:14.000000");
    rapidjson::Document seven = parse_object(build_message(event("e"), lab_time(7)));
    CHECK(str(seven["timestamp"]) == "2025-11-20T12:31:14.000007");
    rapidjson::Document most = parse_object(build_message(event("e"), lab_time(999999)));
    CHECK(str(most["timestamp"]) == "2025-11-20T12:31:14.999999");
}

TEST_CASE("presets: the lab's five events, in the lab's order") {
    std::vector<std::string> names;
    for (const auto& p : presets()) names.emplace_back(p.name);
    CHECK(names == std::vector<std::string>{"order_created", "order_shipped", "inventory_low",
                                            "customer_notification", "system_announcement"});
}

TEST_CASE("find_preset: channels") {
    CHECK(find_preset("order_created").channel == "orders:created");
    CHECK(find_preset("order_shipped").channel == "orders:shipped");
    CHECK(find_preset("inventory_low").channel == "inventory:alerts");
    CHECK(find_preset("customer_notification").channel == "notifications");
    // The lab broadcasts it to all four; a single publish defaults to notifications.
    CHECK(find_preset("system_announcement").channel == "notifications");
    CHECK(find_preset("order_created").name == "order_created");
}

TEST_CASE("find_preset: an unknown preset is a usage error listing the presets") {
    for (const std::string name : {"order_deleted", "", "ORDER_CREATED"}) {
        CAPTURE(name);
        try {
            find_preset(name);
            FAIL("accepted an unknown preset");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(std::string(e.what()) == std::string("--preset: unknown preset '") + name + "'");
            CHECK(e.hint() ==
                  "presets: order_created, order_shipped, inventory_low, "
                  "customer_notification, system_announcement");
        }
    }
    CHECK(build_error(preset("nope")).kind() == ErrorKind::usage);
}

TEST_CASE("builds_message: preset, event or fields") {
    CHECK_FALSE(builds_message(MessageSpec{}));
    CHECK(builds_message(preset("order_created")));
    CHECK(builds_message(event("x")));
    MessageSpec fields_only;
    fields_only.fields = {"a=1"};
    CHECK(builds_message(fields_only));
}

TEST_CASE("build_message: --event without fields") {
    CHECK(build_message(event("user_signed_up"), lab_time()) ==
          std::string(R"({"event":"user_signed_up","timestamp":")") + lab_stamp + "\"}");
}

TEST_CASE("build_message: KEY=VALUE fields are strings") {
    const std::string text =
        build_message(event("e", {"a=1", "b=true", "c=", "url=rediss://h:1/x?y=z", "k==v",
                                  "sp=two words", "ns:key=v"}),
                      lab_time());
    CHECK(text == std::string(R"({"event":"e","a":"1","b":"true","c":"",)"
                              R"("url":"rediss://h:1/x?y=z","k":"=v","sp":"two words",)"
                              R"("ns:key":"v","timestamp":")") +
                      lab_stamp + "\"}");
}

TEST_CASE("build_message: KEY:=JSON fields are typed") {
    rapidjson::Document d = parse_object(
        build_message(event("e", {"n:=42", "neg:=-7", "f:=1.5", "t:=true", "no:=false", "z:=null",
                                  "arr:=[1,\"x\",null]", "obj:={\"a\":{\"b\":[true]}}",
                                  "s:=\"quoted\"", "big:=12345678901234567890", "ws:=  3  "}),
                      lab_time()));
    CHECK(member_names(d) == std::vector<std::string>{"event", "n", "neg", "f", "t", "no", "z",
                                                      "arr", "obj", "s", "big", "ws", "timestamp"});
    REQUIRE(d["n"].IsInt());
    CHECK(d["n"].GetInt() == 42);
    CHECK(d["neg"].GetInt() == -7);
    REQUIRE(d["f"].IsDouble());
    CHECK(d["f"].GetDouble() == 1.5);
    CHECK(d["t"].IsTrue());
    CHECK(d["no"].IsFalse());
    CHECK(d["z"].IsNull());
    REQUIRE(d["arr"].IsArray());
    CHECK(d["arr"].Size() == 3);
    CHECK(d["arr"][0].GetInt() == 1);
    CHECK(str(d["arr"][1]) == "x");
    CHECK(d["arr"][2].IsNull());
    REQUIRE(d["obj"].IsObject());
    CHECK(d["obj"]["a"]["b"][0].IsTrue());
    CHECK(str(d["s"]) == "quoted");
    REQUIRE(d["big"].IsUint64());
    CHECK(d["big"].GetUint64() == 12345678901234567890ULL);
    CHECK(d["ws"].GetInt() == 3);
}

TEST_CASE("build_message: typed values are written compactly and exactly") {
    CHECK(build_message(event("e", {"o:={ \"a\" : [ 1 , 2 ] }", "p:=0.1"}), lab_time()) ==
          std::string(R"({"event":"e","o":{"a":[1,2]},"p":0.1,"timestamp":")") + lab_stamp + "\"}");
}

TEST_CASE("build_message: a field replaces an existing key in place") {
    const std::string text = build_message(
        preset("order_created", {"customer=John Roe", "total:=5", "event=order_updated"}),
        lab_time());
    CHECK(text == std::string(R"({"event":"order_updated","order_id":"ORD-20251120123114",)"
                              R"("customer":"John Roe","total":5,"timestamp":")") +
                      lab_stamp + "\"}");
}

TEST_CASE("build_message: a repeated field keeps the last value at the first position") {
    CHECK(build_message(event("e", {"a=1", "b=2", "a=3"}), lab_time()) ==
          std::string(R"({"event":"e","a":"3","b":"2","timestamp":")") + lab_stamp + "\"}");
}

TEST_CASE("build_message: the timestamp field can be replaced in place") {
    CHECK(build_message(event("e", {"timestamp=now", "x=1"}), lab_time()) ==
          R"({"event":"e","x":"1","timestamp":"now"})");
}

TEST_CASE("build_message: new keys go before timestamp") {
    rapidjson::Document d = parse_object(
        build_message(preset("inventory_low", {"warehouse=W1", "urgent:=true"}), lab_time()));
    CHECK(member_names(d) == std::vector<std::string>{"event", "product_id", "product_name",
                                                      "current_stock", "threshold", "warehouse",
                                                      "urgent", "timestamp"});
    CHECK(str(d["timestamp"]) == lab_stamp);
}

TEST_CASE("build_message: fields alone build an object without event or timestamp") {
    MessageSpec spec;
    spec.fields = {"a=1", "b:=2"};
    CHECK(build_message(spec, lab_time()) == R"({"a":"1","b":2})");
}

TEST_CASE("build_message: a field without '=' or with an empty key is a usage error") {
    struct Case {
        const char* spec;
        const char* message;
    };
    for (const Case& c : {Case{"novalue", "-f 'novalue': expected KEY=VALUE or KEY:=JSON"},
                          Case{"=v", "-f '': expected KEY=VALUE or KEY:=JSON"},
                          Case{":=1", "-f ':': expected KEY=VALUE or KEY:=JSON"},
                          Case{"", "-f '': expected KEY=VALUE or KEY:=JSON"}}) {
        CAPTURE(c.spec);
        Error e = build_error(event("e", {c.spec}));
        CHECK(e.kind() == ErrorKind::usage);
        CHECK(std::string(e.what()) == c.message);
    }
}

TEST_CASE("build_message: invalid JSON after := names the key and the byte offset") {
    struct Case {
        const char* spec;
        const char* start;
    };
    for (const Case& c : {Case{"n:=", "-f n:=...: value is not valid JSON at byte 0: "},
                          Case{"n:=abc", "-f n:=...: value is not valid JSON at byte 0: "},
                          Case{"o:={\"a\":}", "-f o:=...: value is not valid JSON at byte 5: "},
                          Case{"a:=[1,2", "-f a:=...: value is not valid JSON at byte 4: "},
                          Case{"x:=1 2", "-f x:=...: value is not valid JSON at byte 2: "},
                          Case{"s:='single'", "-f s:=...: value is not valid JSON at byte 0: "}}) {
        CAPTURE(c.spec);
        Error e = build_error(event("e", {c.spec}));
        CHECK(e.kind() == ErrorKind::usage);
        CHECK(std::string(e.what()).starts_with(c.start));
        CHECK(e.hint().find("KEY=VALUE") != std::string::npos);
    }
}

TEST_CASE("build_message: --preset and --event cannot be combined") {
    MessageSpec spec;
    spec.preset = "order_created";
    spec.event = "custom";
    Error e = build_error(spec);
    CHECK(e.kind() == ErrorKind::usage);
    CHECK(std::string(e.what()) == "--preset and --event cannot be combined");
}

TEST_CASE("build_message: text that is not UTF-8 is a usage error, never invalid JSON") {
    CHECK(build_error(event("bad\xff")).kind() == ErrorKind::usage);
    CHECK(build_error(event("e", {"k=caf\xc3"})).kind() == ErrorKind::usage);
    CHECK(build_error(event("e", {"k\xe9y=v"})).kind() == ErrorKind::usage);
    // Valid UTF-8 passes through unchanged.
    CHECK(build_message(event("e", {"city=Zürich"}), lab_time()) ==
          std::string(R"({"event":"e","city":"Zürich","timestamp":")") + lab_stamp + "\"}");
}

TEST_CASE("build_message: a KEY:=JSON value may nest one level less than amr's limit") {
    constexpr size_t limit = amr::message::max_json_depth;
    auto nested = [](size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    // The message around the value is the one more level: it stays JSON to a subscriber.
    const std::string built = build_message(event("e", {"v:=" + nested(limit - 1)}), lab_time());
    CHECK_FALSE(amr::message::check_json(built).has_value());
    CHECK(parse_object(built)["v"].IsArray());
    for (size_t depth : {limit, size_t{1'000'000}}) {
        CAPTURE(depth);
        Error e = build_error(event("e", {"v:=" + nested(depth)}));
        CHECK(e.kind() == ErrorKind::usage);
        CHECK(std::string(e.what()) ==
              "-f v:=...: value is not valid JSON at byte 127: arrays and objects nested more "
              "than 127 deep (amr's limit)");
        CHECK(e.hint() == "the message's object is one more level, and amr reads JSON 128 deep");
    }
}
