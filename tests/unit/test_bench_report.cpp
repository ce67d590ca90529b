#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>

#include "bench/report.hpp"

using namespace amr::bench;

namespace {

Report sample_report() {
    Report r;
    r.shape.publishers = 2;
    r.shape.rate = 10000;
    r.shape.prefix = "bench\x1b]";
    r.server_version = "7.0.15";
    r.endpoint = "127.0.0.1:6379";
    r.totals.published = 20000;
    r.totals.delivered = 19990;
    r.totals.expected = 20000;
    r.totals.lost = 10;
    r.totals.disconnects = 1;
    r.totals.buffer_limit_disconnects = 1;
    r.publish_seconds = 2.0;
    r.deliver_seconds = 2.5;
    for (uint64_t i = 1; i <= 1000; ++i) r.latency.record(i * 1000);
    return r;
}

}  // namespace

TEST_CASE("bench report: the JSON object has the documented fields") {
    const std::string json = report_json(sample_report());
    REQUIRE(json.back() == '\n');
    CHECK(json.find('\n') == json.size() - 1);
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["published"].GetUint64() == 20000);
    CHECK(d["delivered"].GetUint64() == 19990);
    CHECK(d["lost"].GetUint64() == 10);
    CHECK(d["duplicates"].GetUint64() == 0);
    CHECK(d["disconnects"].GetUint64() == 1);
    CHECK(d["buffer_limit_disconnects"].GetUint64() == 1);
    CHECK(d["publish_rate"].GetDouble() == doctest::Approx(10000));
    CHECK(d["deliver_rate"].GetDouble() == doctest::Approx(7996));
    const auto& l = d["latency"];
    CHECK(std::string(l["unit"].GetString()) == "us");
    CHECK(l["p50"].GetDouble() == doctest::Approx(500).epsilon(0.01));
    CHECK(l["p90"].GetDouble() == doctest::Approx(900).epsilon(0.01));
    CHECK(l["p99"].GetDouble() == doctest::Approx(990).epsilon(0.01));
    CHECK(l["p99.9"].GetDouble() == doctest::Approx(999).epsilon(0.01));
    CHECK(l["p99.99"].GetDouble() == doctest::Approx(1000).epsilon(0.01));
    CHECK(l["max"].GetDouble() == 1000.0);
    CHECK(std::string(l["from"].GetString()) == "planned");
    CHECK(std::string(d["server_version"].GetString()) == "7.0.15");
    CHECK(d["options"]["publishers"].GetUint64() == 2);
    CHECK(std::string(d["options"]["prefix"].GetString()) == "bench\x1b]");
}

TEST_CASE("bench report: text, progress line and CSV") {
    const Report r = sample_report();
    const std::string text = report_text(r);
    CHECK(text.find("published  20000") != std::string::npos);
    CHECK(text.find("lost 10") != std::string::npos);
    CHECK(text.find("by the pubsub output-buffer limit: 1") != std::string::npos);
    CHECK(text.find("planned send time") != std::string::npos);
    CHECK(text.find('\x1b') == std::string::npos);  // the prefix is escaped for a terminal

    Sample s;
    s.elapsed_s = 3;
    s.published_in_second = 1000;
    s.delivered_in_second = 990;
    s.p99_ns = 1'500'000;
    s.lost = 2;
    const std::string line = progress_line(s);
    CHECK(line.find("published 1000/s") != std::string::npos);
    CHECK(line.find("p99 1.50 ms") != std::string::npos);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(csv_header().substr(0, 10) == "elapsed_s,");
    CHECK(csv_row(s) == "3.000,0,0,1000,990,1500.000,2,0,0\n");
    CHECK(format_latency(850) == "0.85 us");
    CHECK(format_latency(2'500'000'000) == "2.50 s");
}
