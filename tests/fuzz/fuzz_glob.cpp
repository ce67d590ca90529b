// --exclude patterns (util/glob.hpp), Redis's stringmatchlen ported: the input is a
// pattern and a channel split at the first NUL (no NUL: the pattern matched against
// itself). Never out of bounds, never slow (libFuzzer's -timeout catches backtracking),
// and what must match does: a channel matches itself escaped, and with a star before it.
#include "fuzz_common.hpp"
#include "util/glob.hpp"

namespace {

std::string escaped(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' || c == '^' || c == '-') {
            out += '\\';
        }
        out += c;
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const size_t split = input.find('\0');
    const std::string_view pattern = input.substr(0, split);
    const std::string_view channel =
        split == std::string_view::npos ? input : input.substr(split + 1);
    // Copies of exactly their size, so the sanitizer sees any read past the end.
    const std::string p(pattern), c(channel);
    amr::util::glob_match(p, c);
    const std::string exact = escaped(c);
    fuzz::check(amr::util::glob_match(exact, c), "an escaped channel does not match itself", c);
    if (!c.empty()) {
        fuzz::check(amr::util::glob_match("*" + exact, c), "*CHANNEL does not match CHANNEL", c);
        fuzz::check(amr::util::glob_match(exact + "*", c), "CHANNEL* does not match CHANNEL", c);
    }
    return 0;
}
