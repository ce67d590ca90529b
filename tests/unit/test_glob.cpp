#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "util/glob.hpp"

using amr::util::glob_match;

namespace {

struct Case {
    const char* pattern;
    const char* text;
    bool match;
};

// Each row checked against redis-server 7.0 (KEYS and PSUBSCRIBE use the same
// stringmatchlen): tests/integration/test_glob_redis.py replays this table there.
const Case cases[] = {
    {"*", "", false},   // Redis's loop needs a byte to start: only "" matches ""
    {"a*", "a", true},  // ... but trailing stars match nothing after one
    {"*", "anything", true},
    {"", "", true},
    {"", "a", false},
    {"a", "", false},
    {"orders:*", "orders:created", true},
    {"orders:*", "orders:", true},
    {"orders:*", "order", false},
    {"*:created", "orders:created", true},
    {"*:created", "orders:created:x", false},
    {"o*s*d", "orders:created", true},
    {"**", "x", true},
    {"a**b", "ab", true},
    {"a*", "a", true},
    {"a*b*", "ab", true},
    {"?", "a", true},
    {"?", "", false},
    {"?", "ab", false},
    {"h?llo", "hello", true},
    {"h??lo", "hello", true},
    {"[abc]", "b", true},
    {"[abc]", "d", false},
    {"[^abc]", "d", true},
    {"[^abc]", "a", false},
    {"[a-c]x", "bx", true},
    {"[c-a]x", "bx", true},  // ends in either order
    {"[a-c]x", "dx", false},
    {"[^a-c]x", "dx", true},
    {"[a-]", "-", false},  // "a-]" is the range ']'..'a' (93..97), in an unclosed set
    {"[a-]", "a", true},
    {"[a-]", "^", true},
    {"[]]", "]", false},  // ']' first closes the set: "[]" then "]"
    {"[]]", "x]", false},
    {"[\\]]", "]", true},  // escaped inside brackets
    {"[\\-]", "-", true},
    {"[ab", "a", true},  // unclosed: the rest of the pattern is the set
    {"[ab", "b", true},
    {"[ab", "c", false},
    {"[", "[", false},
    {"[", "a", false},
    {"[^", "a", true},  // unclosed, negated and empty: any one byte
    {"[^", "^", true},
    {"\\*", "*", true},
    {"\\*", "a", false},
    {"\\?", "?", true},
    {"\\[a]", "[a]", true},
    {"a\\", "a\\", true},  // a trailing backslash is itself
    {"a\\", "a", false},
    {"\\\\", "\\", true},
    {"*\\*", "ab*", true},
    {"*\\*", "ab", false},
    {"a*b*c", "abc", true},
    {"a*b*c", "aXbYc", true},
    {"a*b*c", "acb", false},
    {"*a", "aaa", true},
    {"*a", "aab", false},
    {"[0-9]*", "7up", true},
    {"[0-9]*", "up", false},
    {"*[0-9]", "room42", true},
    {"__keyspace@0__:*", "__keyspace@0__:k", true},
    {"a?c*", "abc", true},
    {"a?c*", "ac", false},
};

}  // namespace

TEST_CASE("glob_match follows Redis's stringmatchlen") {
    for (const Case& c : cases) {
        const std::string pattern = c.pattern, text = c.text;
        CAPTURE(pattern);
        CAPTURE(text);
        CHECK(glob_match(c.pattern, c.text) == c.match);
    }
}

TEST_CASE("glob_match is byte-exact: NUL and high bytes, signed ranges as on x86-64") {
    using namespace std::string_literals;
    CHECK(glob_match("a\0b"s, "a\0b"s));
    CHECK_FALSE(glob_match("a\0b"s, "a\0c"s));
    CHECK(glob_match("a?b", "a\0b"s));
    CHECK(glob_match("*\xff", "x\xff"));
    CHECK(glob_match("[\x80-\xff]", "\x90"));
    // 'a' (97) to 0xff (-1 as a signed char) is the range -1..97: 'b' is outside.
    CHECK_FALSE(glob_match("[a-\xff]", "b"));
    CHECK(glob_match("[a-\xff]", "A"));
    CHECK(glob_match("[a-\xff]", "\xff"));
    // Case-sensitive, as PSUBSCRIBE.
    CHECK_FALSE(glob_match("Orders:*", "orders:x"));
}

TEST_CASE("glob_match gives up past 1000 nested stars, as Redis does") {
    std::string deep;
    for (int i = 0; i < 1001; ++i) deep += "*a";
    const std::string text(1001, 'a');
    CHECK_FALSE(glob_match(deep, text));
    std::string shallow;
    for (int i = 0; i < 999; ++i) shallow += "*a";
    CHECK(glob_match(shallow, text));
}

TEST_CASE("glob_match is fast on patterns that backtrack exponentially elsewhere") {
    const auto start = std::chrono::steady_clock::now();
    const std::string text(20000, 'a');
    CHECK_FALSE(glob_match("*a*a*a*a*a*a*a*a*b", text));
    CHECK_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
    std::string many;
    for (int i = 0; i < 500; ++i) many += "*?";
    CHECK_FALSE(glob_match(many + "b", text));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}
