#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "message/envelope.hpp"
#include "message/json_check.hpp"
#include "output/formatter.hpp"
#include "publish/pacer.hpp"
#include "util/base64.hpp"
#include "util/clock.hpp"

using amr::message::Envelope;
using amr::message::EnvelopeDecoder;
using namespace std::string_literals;

namespace {

// Decodes `line`, the quick way and with the full parser only, which must agree; fails
// the test with the reason when it is refused.
Envelope decoded(EnvelopeDecoder& d, std::string_view line) {
    Envelope e;
    auto problem = d.decode(line, e);
    REQUIRE_MESSAGE(!problem, *problem);
    static EnvelopeDecoder full_decoder(true);
    Envelope full;
    auto full_problem = full_decoder.decode(line, full, false);
    REQUIRE_MESSAGE(!full_problem, *full_problem);
    CHECK(full.channel == e.channel);
    CHECK(full.payload == e.payload);
    CHECK(full.sharded == e.sharded);
    CHECK((e.received_at.empty() || full.received_at == e.received_at));
    return e;
}

std::string refused(std::string_view line) {
    EnvelopeDecoder d;
    Envelope e;
    const std::string quick = d.decode(line, e).value_or("(accepted)");
    CHECK(d.decode(line, e, false).value_or("(accepted)") == quick);
    return quick;
}

// The line subscribe -j writes for `payload` on `channel` (without its newline).
std::string json_line(std::string_view channel, std::string_view payload, bool sharded = false) {
    amr::output::Received r;
    r.channel = channel;
    r.payload = payload;
    r.is_sharded = sharded;
    r.received_at = std::chrono::system_clock::time_point(std::chrono::seconds(1763641874));
    std::string out;
    amr::output::make_formatter(amr::output::Format::json, {})->append(r, out);
    REQUIRE(out.back() == '\n');
    out.pop_back();
    return out;
}

}  // namespace

TEST_CASE("envelope: a string data is its text, any other value its exact bytes") {
    EnvelopeDecoder d;
    CHECK(decoded(d, R"({"channel":"c","data":"abc"})").payload == "abc");
    CHECK(decoded(d, R"({"channel":"c","data":"a\"b\\c\n\u00e9"})").payload == "a\"b\\c\n\xC3\xA9");
    CHECK(decoded(d, R"({"channel":"c","data":"\u0000x"})").payload == "\0x"s);
    for (const char* value :
         {R"({"b":1,"a":2,"b":3})", R"([1.0, 1e5,-0 ,{"x":"\u00e9"}])", "1.0", "1e5", "-0", "true",
          "false", "null", R"({ "a" : [ ] })", "[]", "{}", "123456789012345678901234567890"}) {
        CAPTURE(value);
        const std::string line = R"({"type":"message","channel":"c","data":)" + std::string(value) +
                                 R"(,"received_at":"2025-11-20T12:31:14.906Z"})";
        CHECK(decoded(d, line).payload == value);
        // Whitespace around the value is not part of it.
        CHECK(decoded(d, R"({"channel":"c","data" :  )" + std::string(value) + " }").payload ==
              value);
    }
}

TEST_CASE("envelope: channel, type, data_base64 and channel_base64") {
    EnvelopeDecoder d;
    Envelope e = decoded(d, R"({"type":"smessage","channel":"orders:{eu}","data":"x"})");
    CHECK(e.channel == "orders:{eu}");
    CHECK(e.sharded);
    CHECK_FALSE(decoded(d, R"({"type":"pmessage","pattern":"o*","channel":"o","data":1})").sharded);
    CHECK_FALSE(decoded(d, R"({"channel":"o","data":1})").sharded);
    // data_base64 wins over data, wherever it is.
    CHECK(decoded(d, R"({"data_base64":"AAH//g==","channel":"c","data":"junk"})").payload ==
          "\x00\x01\xFF\xFE"s);
    CHECK(decoded(d, R"({"channel":"c","data":{"a":1},"data_base64":""})").payload.empty());
    CHECK(decoded(d, R"({"channel":"x","channel_base64":"/w==","data":1})").channel == "\xFF");
    // The last of a key given twice counts; unknown fields are ignored, whatever they hold.
    e = decoded(d, R"({"channel":"a","data":1,"channel":"b","data":[2],"extra":{"channel":"z"}})");
    CHECK(e.channel == "b");
    CHECK(e.payload == "[2]");
    CHECK(decoded(d, R"({"channel":"c","data":"s","data":{"k":"v"}})").payload == R"({"k":"v"})");
    CHECK(decoded(d, R"({"channel":"c","data":{"k":"v"},"data":"s"})").payload == "s");
}

TEST_CASE("envelope: received_at only when asked") {
    EnvelopeDecoder plain;
    CHECK(decoded(plain, R"({"channel":"c","data":1,"received_at":"2025-11-20T12:31:14.906Z"})")
              .received_at.empty());
    EnvelopeDecoder paced(true);
    CHECK(decoded(paced, R"({"channel":"c","data":1,"received_at":"2025-11-20T12:31:14.906Z"})")
              .received_at == "2025-11-20T12:31:14.906Z");
    CHECK(decoded(paced, R"({"channel":"c","data":1})").received_at.empty());
}

TEST_CASE("envelope: what is refused, and why") {
    CHECK(refused(R"({"data":1})") == "no \"channel\" field");
    CHECK(refused(R"({"channel":"c"})") == "no \"data\" field");
    CHECK(refused(R"({"channel":"c","data_base64":"abc"})") ==
          "\"data_base64\" is not base64 (character 0)");
    CHECK(refused(R"({"channel":"c","data_base64":"ab=c"})") ==
          "\"data_base64\" is not base64 (character 2)");
    CHECK(refused(R"({"channel":"c","channel_base64":"!!!!","data":1})") ==
          "\"channel_base64\" is not base64 (character 0)");
    CHECK(refused(R"({"channel":5,"data":1})") == "\"channel\" is not a string");
    CHECK(refused(R"({"channel":["c"],"data":1})") == "\"channel\" is not a string");
    CHECK(refused(R"({"channel":"c","data":1,"type":null})") == "\"type\" is not a string");
    CHECK(refused(R"({"channel":"c","data_base64":{}})") == "\"data_base64\" is not a string");
    CHECK(refused(R"(["channel","c"])") == "not a JSON object");
    CHECK(refused(R"("text")") == "not a JSON object");
    CHECK(refused("42") == "not a JSON object");
    CHECK(refused(R"({"channel":"c","data":1)") ==
          "not valid JSON at byte 23: Missing a comma or '}' after an object member.");
    CHECK(refused(R"({"channel":"c","data":1} x)").starts_with("not valid JSON at byte 25:"));
    CHECK(refused("{\"channel\":\"\xFF\",\"data\":1}").starts_with("not valid JSON at byte"));
    CHECK(refused("").starts_with("not valid JSON at byte 0"));
}

TEST_CASE("envelope: nesting is bounded, one level more than a payload's limit") {
    const auto nested = [](int depth) {
        return R"({"channel":"c","data":)" + std::string(depth, '[') + std::string(depth, ']') +
               "}";
    };
    EnvelopeDecoder d;
    CHECK(decoded(d, nested(128)).payload == std::string(128, '[') + std::string(128, ']'));
    CHECK(refused(nested(129)).find("nested more than 129 deep") != std::string::npos);
    CHECK(refused(nested(100000)).find("nested more than 129 deep") != std::string::npos);
}

TEST_CASE("envelope: what subscribe -j writes comes back byte for byte") {
    const std::vector<std::string> payloads = {
        R"({"event":"order_created","total":129.99})",
        R"("abc")",
        "abc",
        R"(  {"a":1})",
        "{\"a\":1}\n",
        "{\n  \"a\": [1,\n    2]\n}",
        R"({"n":1.0,"m":1e5,"z":-0,"big":1E+400})",
        R"({"e":"\u00e9"})",
        "{\"e\":\"\xC3\xA9\"}",
        R"({"b":1,"a":2,"b":3})",
        "",
        " ",
        "\x00\x01\xFF\xFE"s,
        "caf\xE9",
        "line one\nline two\r\n",
        "1.0",
        "-0",
        "null",
        R"("")",
        "\t[1]\t",
        std::string(200, '[') + std::string(200, ']'),
        "\x1B]0;title\x07",
    };
    EnvelopeDecoder d;
    for (const std::string& payload : payloads) {
        for (const std::string& channel :
             {"c"s, "orders:{eu}:created"s, "\xFF\x00q"s, "é \"x\""s}) {
            CAPTURE(payload);
            const std::string line = json_line(channel, payload);
            Envelope e = decoded(d, line);
            CHECK(e.payload == payload);
            CHECK(e.channel == channel);
            CHECK_FALSE(e.sharded);
        }
    }
    CHECK(decoded(d, json_line("s", "x", true)).sharded);
}

TEST_CASE("json: data_base64 appears only when data alone would not give the bytes back") {
    for (const char* payload : {R"({"a":1})", "[1,2]", "42", "null", "plain text", "",
                                R"({"e":"é"})", "caf\xC3\xA9", R"({"a": 1})"}) {
        CAPTURE(payload);
        CHECK(json_line("c", payload).find("data_base64") == std::string::npos);
    }
    for (const std::string& payload :
         {R"("abc")"s, " {}"s, "{} "s, "{\n}"s, R"({"e":"\u00e9"})"s, "\xFF"s}) {
        CAPTURE(payload);
        CHECK(json_line("c", payload).find("\"data_base64\":\"" + amr::util::base64(payload)) !=
              std::string::npos);
    }
}

TEST_CASE("base64: encodes and decodes every length; the decoder is strict") {
    std::string bytes, back;
    for (int i = 0; i < 40; ++i) {
        const std::string text = amr::util::base64(bytes);
        CHECK(text.size() % 4 == 0);
        CHECK_FALSE(amr::util::decode_base64(text, back));
        CHECK(back == bytes);
        bytes += static_cast<char>(i * 37);
    }
    CHECK(amr::util::base64("\xFB\xFF") == "+/8=");
    CHECK(*amr::util::decode_base64("abc", back) == 0);
    CHECK(*amr::util::decode_base64("ab c", back) == 2);
    CHECK(*amr::util::decode_base64("a===", back) == 1);
    CHECK(*amr::util::decode_base64("ab=c", back) == 2);
    CHECK(*amr::util::decode_base64("ab==abcd", back) == 2);
    CHECK(*amr::util::decode_base64("/x==", back) == 1);  // bits past the byte are not 0
    CHECK(*amr::util::decode_base64("//9=", back) == 2);
    CHECK_FALSE(amr::util::decode_base64("", back));
}

TEST_CASE("parse_utc_iso reads what utc_iso_milli and utc_iso_micro write") {
    const auto t =
        std::chrono::system_clock::time_point(std::chrono::microseconds(1763641874906797));
    CHECK(amr::util::parse_utc_iso(amr::util::utc_iso_micro(t)) == t);
    CHECK(amr::util::parse_utc_iso(amr::util::utc_iso_milli(t)) ==
          std::chrono::floor<std::chrono::milliseconds>(t));
    CHECK(amr::util::parse_utc_iso("2025-11-20T12:31:14Z") ==
          std::chrono::floor<std::chrono::seconds>(t));
    for (const char* bad :
         {"", "2025-11-20T12:31:14", "2025-11-20 12:31:14Z", "2025-13-20T12:31:14Z",
          "2025-11-20T24:00:00Z", "2025-11-20T12:31:14.Z", "2025-11-20T12:31:14.1234567890Z",
          "2025-11-20T12:31:14.9x6Z", "x025-11-20T12:31:14Z"}) {
        CAPTURE(bad);
        CHECK_FALSE(amr::util::parse_utc_iso(bad));
    }
}

TEST_CASE("replay pacer: each message at start + its gap / speed, without drift") {
    using amr::publish::ReplayPacer;
    using namespace std::chrono_literals;
    const auto t0 = ReplayPacer::Clock::time_point(1000s);
    const auto s0 = std::chrono::system_clock::time_point(1763641874s);
    ReplayPacer p(1.0);
    CHECK(p.planned(s0, t0) == t0);
    // A late call (now far past) does not move what follows: planned from the first.
    CHECK(p.planned(s0 + 250ms, t0 + 5s) == t0 + 250ms);
    CHECK(p.planned(s0 + 1s, t0 + 5s) == t0 + 1s);
    // A stamp before the one before is due with it: the input's order is kept.
    CHECK(p.planned(s0 + 500ms, t0 + 5s) == t0 + 1s);
    CHECK(p.planned(s0 - 1h, t0 + 5s) == t0 + 1s);
    CHECK(p.planned(s0 + 3s, t0 + 5s) == t0 + 3s);

    ReplayPacer fast(2.0);
    CHECK(fast.planned(s0, t0) == t0);
    CHECK(fast.planned(s0 + 1s, t0) == t0 + 500ms);
    CHECK(fast.planned(s0 + 10s, t0) == t0 + 5s);
    ReplayPacer slow(0.5);
    CHECK(slow.planned(s0, t0) == t0);
    CHECK(slow.planned(s0 + 1s, t0) == t0 + 2s);
    // A gap scaled past a century is clamped there, not an overflow.
    ReplayPacer far(1e-6);
    far.planned(s0, t0);
    CHECK(far.planned(s0 + std::chrono::hours(24 * 365 * 200), t0) > t0);
}

TEST_CASE("envelope: the quick scan takes one-letter escapes, and leaves the rest to the parser") {
    EnvelopeDecoder d;
    Envelope e =
        decoded(d, R"({"channel":"a\"b\\c\/d","data":"x\ty\r\n\b\f","type":"s\u006dessage"})");
    CHECK(e.channel == "a\"b\\c/d");
    CHECK(e.payload == "x\ty\r\n\b\f");
    CHECK(e.sharded);
    CHECK(decoded(d, R"({"channel":"c","data_base64":"\/w=="})").payload == "\xFF");
    CHECK(decoded(d, R"( { "channel" : "c" , "data" : [ 1 , { } ] } )").payload == "[ 1 , { } ]");
    CHECK(refused(R"({"channel":"c","data":truex})").starts_with("not valid JSON at byte 26"));
    CHECK(refused(R"({"channel":"c","data":1,})").starts_with("not valid JSON at byte 24"));
    CHECK(refused(R"({"channel":"c","data":1}})").starts_with("not valid JSON at byte 24"));
    CHECK(refused(R"({})") == "no \"channel\" field");
}

TEST_CASE("plain_value_length: the length of a plain value at the start of a text") {
    using amr::message::plain_value_length;
    CHECK(plain_value_length(R"({"a":[1,2]},"b")") == 11);
    CHECK(plain_value_length(R"("s\"q" x)") == 6);
    CHECK(plain_value_length("123}") == 3);
    CHECK(plain_value_length("null,") == 4);
    CHECK(plain_value_length(" 1") == 0);            // no whitespace before it
    CHECK(plain_value_length("1e5") == 0);           // an exponent: ask the full parser
    CHECK(plain_value_length("\"\xC3\xA9\"") == 0);  // not ASCII
    CHECK(plain_value_length("[1,") == 0);
    CHECK(plain_value_length("") == 0);
}
