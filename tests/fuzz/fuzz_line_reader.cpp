// publish --lines input (publish/line_reader.hpp), read in pieces of fuzzer-chosen sizes
// with interruptions (EINTR), through small blocks: the lines are exactly the input's
// non-empty lines ("\r\n" or "\n", the last without one) with their numbers, and a line
// of max_line bytes or more is a usage error naming its number, after every line before it.
#include <cerrno>
#include <cstring>
#include <vector>

#include "fuzz_common.hpp"
#include "publish/line_reader.hpp"

using amr::publish::Line;
using amr::publish::LineReader;

namespace {

struct Expected {
    std::vector<std::pair<std::string, uint64_t>> lines;
    uint64_t too_long = 0;  // the number of the first line that is too long; 0: none
};

Expected split(std::string_view data, size_t max_line) {
    Expected e;
    uint64_t number = 0;
    while (!data.empty()) {
        const size_t eol = data.find('\n');
        std::string_view line = data.substr(0, eol);
        data = eol == std::string_view::npos ? std::string_view() : data.substr(eol + 1);
        ++number;
        if (line.size() >= max_line) {
            e.too_long = number;
            return e;
        }
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) e.lines.emplace_back(std::string(line), number);
    }
    return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
    if (size < 3) return 0;
    const size_t block = bytes[0] % 64 + 1;
    const size_t max_line = std::max<size_t>(block, bytes[1] % 128 + 1);
    const unsigned seed = bytes[2];
    const std::string_view data(reinterpret_cast<const char*>(bytes) + 3, size - 3);

    size_t fed = 0;
    unsigned step = seed;
    auto read = [&](char* buffer, size_t room) -> ssize_t {
        step = step * 1103515245u + 12345u;
        if ((step >> 16) % 7 == 0) {
            errno = EINTR;
            return -1;
        }
        const size_t n = std::min({room, data.size() - fed, size_t{(step >> 8) % 17 + 1}});
        std::memcpy(buffer, data.data() + fed, n);
        fed += n;
        return static_cast<ssize_t>(n);
    };
    LineReader reader(read, "<stdin>", block, max_line);
    const Expected expected = split(data, max_line);
    std::vector<std::pair<std::string, uint64_t>> got;
    uint64_t too_long = 0;
    try {
        Line line;
        while (reader.refill()) {
            while (reader.next(line)) got.emplace_back(std::string(line.text), line.number);
        }
    } catch (const amr::Error& e) {
        const std::string prefix = "<stdin>: line ";
        const std::string_view what = e.what();
        fuzz::check(what.starts_with(prefix), "an unexpected line reader error", what);
        too_long = std::stoull(std::string(what.substr(prefix.size())));
    }
    fuzz::check(got == expected.lines, "lines read differ from the input's lines");
    fuzz::check(too_long == expected.too_long, "a long line is reported otherwise",
                std::to_string(too_long) + " vs " + std::to_string(expected.too_long));
    return 0;
}
