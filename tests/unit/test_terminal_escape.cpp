#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "output/terminal_escape.hpp"

using amr::output::append_terminal_escaped;
using amr::output::Newlines;
using amr::output::terminal_escaped;

using namespace std::string_literals;

TEST_CASE("terminal_escaped: printable text, UTF-8 and backslashes pass unchanged") {
    for (const std::string text :
         {""s, "orders:created"s, "{\"a\": [1, 2]} ~!@#$%^&*()"s, "back\\slash \\x1b"s,
          "Z\xC3\xBCrich \xE2\x82\xAC \xF0\x9F\x98\x80"s,
          "nbsp\xC2\xA0"
          "end"s}) {
        CAPTURE(text);
        CHECK(terminal_escaped(text) == text);
    }
}

TEST_CASE("terminal_escaped: C0 controls as redis-cli writes them") {
    CHECK(terminal_escaped("a\nb\rc\td\ae\bf") == "a\\nb\\rc\\td\\ae\\bf");
    CHECK(terminal_escaped("\x1b]0;pwned\a\x1b[2J") == "\\x1b]0;pwned\\a\\x1b[2J");
    CHECK(terminal_escaped("nul"s + '\0' + "x") == "nul\\x00x");
    CHECK(terminal_escaped("\x01\x1f") == "\\x01\\x1f");
    for (int c = 0; c < 0x20; ++c) {
        CAPTURE(c);
        const std::string out = terminal_escaped(std::string(1, static_cast<char>(c)));
        CHECK(out.starts_with("\\"));
        CHECK(out.find_first_of(std::string("\0\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"
                                            "\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
                                            "\x19\x1a\x1b\x1c\x1d\x1e\x1f",
                                            32)) == std::string::npos);
    }
}

TEST_CASE("terminal_escaped: DEL and the C1 controls as bytes") {
    CHECK(terminal_escaped("a\x7f"
                           "b") == "a\\x7fb");
    CHECK(terminal_escaped("\xC2\x9B"
                           "2J") == "\\xc2\\x9b2J");  // U+009B, CSI
    CHECK(terminal_escaped("\xC2\x80\xC2\x9F") == "\\xc2\\x80\\xc2\\x9f");
}

TEST_CASE("terminal_escaped: each byte of invalid UTF-8 as \\xNN") {
    CHECK(terminal_escaped("caf\xE9") == "caf\\xe9");
    CHECK(terminal_escaped("\xFF\xFE") == "\\xff\\xfe");
    CHECK(terminal_escaped("\xE2\x82") == "\\xe2\\x82");                 // cut short
    CHECK(terminal_escaped("\xC0\xAF") == "\\xc0\\xaf");                 // overlong
    CHECK(terminal_escaped("\xED\xA0\x80") == "\\xed\\xa0\\x80");        // a UTF-16 surrogate
    CHECK(terminal_escaped("\xE2\x82\xAC\xFF") == "\xE2\x82\xAC\\xff");  // valid, then not
}

TEST_CASE("append_terminal_escaped: appends, and Newlines::keep keeps line breaks only") {
    std::string out = "> ";
    append_terminal_escaped("a\nb\x1b", out, Newlines::keep);
    CHECK(out == "> a\nb\\x1b");
    append_terminal_escaped("\r\n", out);
    CHECK(out == "> a\nb\\x1b\\r\\n");
}
