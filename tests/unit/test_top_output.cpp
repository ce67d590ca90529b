#include <doctest/doctest.h>

#include <string>

#include "probe/channel_rates.hpp"
#include "probe/top_output.hpp"

using namespace amr::probe;

TEST_CASE("top: rates per interval, sorted by rate, then total, then name") {
    ChannelRates rates;
    for (int i = 0; i < 4; ++i) rates.add("b", 10);
    rates.add("a", 3);
    rates.add("c", 1);
    auto rows = rates.take(2.0);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].channel == "b");
    CHECK(rows[0].rate == doctest::Approx(2.0));
    CHECK(rows[0].bytes_rate == doctest::Approx(20.0));
    CHECK(rows[1].channel == "a");  // a tie on rate and total: by name
    CHECK(rows[2].channel == "c");
    rates.add("c", 1);
    rows = rates.take(1.0);
    CHECK(rows[0].channel == "c");  // the only one with a rate now
    CHECK(rows[0].total == 2);
    CHECK(rows[1].channel == "b");  // idle: by total
    CHECK(rows[1].rate == 0);
}

TEST_CASE("top: channels past the cap count together") {
    ChannelRates rates;
    for (size_t i = 0; i < ChannelRates::max_channels + 5; ++i) rates.add(std::to_string(i), 1);
    CHECK(rates.tracked() == ChannelRates::max_channels);
    const auto rows = rates.take(1.0);
    CHECK(rows.size() == ChannelRates::max_channels + 1);
    CHECK(rows.front().other);
    CHECK(rows.front().channel == "(other channels)");
    CHECK(rows.front().total == 5);
}

TEST_CASE("top: JSON line, with channel_base64 for a name that is not UTF-8, and --limit") {
    std::vector<ChannelRow> rows = {{"a\x1b\xff", false, 2, 4, 9}, {"b", false, 1, 1, 1}};
    CHECK(top_json_line(rows, 1.0, 1) ==
          "{\"interval_s\":1.0,\"channels\":[{\"channel\":\"a\\u001B\xef\xbf\xbd\","
          "\"channel_base64\":\"YRv/\",\"rate\":2.0,\"bytes_rate\":4.0,\"total\":9}]}\n");
}

TEST_CASE("top: the table escapes names and cuts lines to the width") {
    std::vector<ChannelRow> rows = {{"\x1b]0;x\a" + std::string(100, 'w'), false, 1, 1, 1}};
    const std::string screen = top_table(rows, {"t", 60, 10}, 0);
    CHECK(screen.find("\x1b]0;") == std::string::npos);
    CHECK(screen.find("\\x1b]0;x\\a") != std::string::npos);
    size_t start = 0;
    while (start < screen.size()) {
        size_t end = screen.find("\x1b[K", start);
        if (end == std::string::npos) break;
        std::string line = screen.substr(start, end - start);
        if (line.starts_with("\x1b[H")) line.erase(0, 3);
        if (line.starts_with("\r\n")) line.erase(0, 2);
        CHECK(line.size() <= 60);
        start = end + 3;
    }
    CHECK(fit_columns("\xc3\xa9\xc3\xa9\xc3\xa9", 2) == "\xc3\xa9\xc3\xa9");
}
