#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "error.hpp"
#include "publish/line_reader.hpp"

using amr::publish::Line;
using amr::publish::LineReader;

namespace {

struct Read {
    std::string text;
    uint64_t number;
    bool operator==(const Read&) const = default;
};

// Hands out `input` in the given chunk sizes (the last repeats), as read(2) would.
LineReader::ReadFn chunks_of(std::string input, std::vector<size_t> sizes) {
    auto pos = std::make_shared<size_t>(0);
    auto call = std::make_shared<size_t>(0);
    return [input = std::move(input), sizes = std::move(sizes), pos, call](char* buf,
                                                                           size_t cap) -> ssize_t {
        const size_t want = sizes[std::min(*call, sizes.size() - 1)];
        ++*call;
        const size_t n = std::min({want, cap, input.size() - *pos});
        std::copy_n(input.data() + *pos, n, buf);
        *pos += n;
        return static_cast<ssize_t>(n);
    };
}

std::vector<Read> read_all(LineReader& reader) {
    std::vector<Read> out;
    Line line;
    do {
        while (reader.next(line)) out.push_back({std::string(line.text), line.number});
    } while (reader.refill());
    return out;
}

std::vector<Read> read_all(const std::string& input, std::vector<size_t> sizes,
                           size_t block = 4096) {
    LineReader reader(chunks_of(input, std::move(sizes)), "<test>", block);
    return read_all(reader);
}

}  // namespace

TEST_CASE("LineReader returns each line without its newline, numbered from 1") {
    CHECK(read_all("a\nbb\nccc\n", {100}) == std::vector<Read>{{"a", 1}, {"bb", 2}, {"ccc", 3}});
}

TEST_CASE("LineReader sends a last line that has no newline") {
    CHECK(read_all("a\nlast", {100}) == std::vector<Read>{{"a", 1}, {"last", 2}});
    CHECK(read_all("only", {1}) == std::vector<Read>{{"only", 1}});
}

TEST_CASE("LineReader skips empty lines but counts them in the line numbers") {
    LineReader reader(chunks_of("\n\na\n\r\n\nb\n\n", {100}), "<test>", 64);
    CHECK(read_all(reader) == std::vector<Read>{{"a", 3}, {"b", 6}});
    CHECK(reader.empty_lines() == 5);
    CHECK(reader.lines_seen() == 7);
}

TEST_CASE("LineReader strips the carriage return of CRLF lines, and only that") {
    CHECK(read_all("a\r\nb\r\n", {100}) == std::vector<Read>{{"a", 1}, {"b", 2}});
    CHECK(read_all("a\rb\r\n\rc\n", {100}) == std::vector<Read>{{"a\rb", 1}, {"\rc", 2}});
    CHECK(read_all("last\r", {100}) == std::vector<Read>{{"last", 1}});
}

TEST_CASE("LineReader gives nothing for empty input") {
    CHECK(read_all("", {100}).empty());
    CHECK(read_all("\n\r\n\n", {100}).empty());
}

TEST_CASE("LineReader finds the same lines wherever the reads split the input") {
    const std::string input = "{\"a\":1}\r\n\nsecond line\nx\n\r\nlonger third line here\nend";
    const std::vector<Read> expected = {
        {"{\"a\":1}", 1}, {"second line", 3}, {"x", 4}, {"longer third line here", 6}, {"end", 7}};
    for (size_t first = 1; first <= input.size(); ++first) {
        CAPTURE(first);
        // Split once at every position, then read the rest at once.
        CHECK(read_all(input, {first, input.size()}) == expected);
    }
    for (size_t each = 1; each <= 8; ++each) {
        CAPTURE(each);
        CHECK(read_all(input, {each}) == expected);
    }
}

TEST_CASE("LineReader grows its buffer for a line longer than a block") {
    const std::string long_line(10000, 'x');
    for (size_t block : {1, 2, 7, 64, 9999, 10000, 10001}) {
        CAPTURE(block);
        CHECK(read_all("a\n" + long_line + "\nb", {3, 5000}, block) ==
              std::vector<Read>{{"a", 1}, {long_line, 2}, {"b", 3}});
        CHECK(read_all(long_line, {block}, block) == std::vector<Read>{{long_line, 1}});
    }
}

TEST_CASE("LineReader treats EINTR as no data yet and other errors as failures") {
    int calls = 0;
    LineReader interrupted(
        [&calls](char* buf, size_t) -> ssize_t {
            if (++calls == 1) {
                errno = EINTR;
                return -1;
            }
            if (calls == 2) {
                buf[0] = 'a';
                return 1;
            }
            return 0;
        },
        "<test>");
    CHECK(read_all(interrupted) == std::vector<Read>{{"a", 1}});

    LineReader failing(
        [](char*, size_t) -> ssize_t {
            errno = EIO;
            return -1;
        },
        "input.jsonl");
    Line line;
    CHECK_FALSE(failing.next(line));
    try {
        failing.refill();
        FAIL("no exception");
    } catch (const amr::Error& e) {
        CHECK(e.kind() == amr::ErrorKind::failure);
        CHECK(std::string(e.what()).find("input.jsonl") != std::string::npos);
    }
}

TEST_CASE("open_input names a missing file in a usage error, and '-' is stdin") {
    CHECK(amr::publish::open_input("-")->name == "<stdin>");
    try {
        amr::publish::open_input("/nonexistent/dir/events.jsonl");
        FAIL("no exception");
    } catch (const amr::Error& e) {
        CHECK(e.kind() == amr::ErrorKind::usage);
        CHECK(std::string(e.what()).find("/nonexistent/dir/events.jsonl") != std::string::npos);
    }
    CHECK_THROWS_AS(amr::publish::open_input("/"), amr::Error);
}
