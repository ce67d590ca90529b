#include "util/glob.hpp"

#include <cstddef>

namespace amr::util {
namespace {

// Redis reads one byte past the end of its NUL-terminated patterns in a few places;
// this port reads that byte as NUL, which is what Redis sees there.
struct Cursor {
    const char* p;
    size_t left;
    char at(size_t i) const { return i < left ? p[i] : '\0'; }
    void advance() {
        ++p;
        --left;
    }
};

int byte(char c) {
    return static_cast<signed char>(c);  // as char on x86-64, where Redis runs
}

// Redis's case for '[': advances `pat` to the closing ']' (or the last byte) and says
// whether `c` is in the set.
bool bracket_matches(Cursor& pat, char c) {
    pat.advance();  // the '['
    const bool negate = pat.at(0) == '^';
    if (negate) pat.advance();
    bool match = false;
    for (;;) {
        if (pat.left == 0) {
            // Unclosed: step back onto the last byte, which the caller steps over.
            --pat.p;
            ++pat.left;
            break;
        }
        if (pat.p[0] == '\\' && pat.left >= 2) {
            pat.advance();
            if (pat.p[0] == c) match = true;
        } else if (pat.p[0] == ']') {
            break;
        } else if (pat.left >= 3 && pat.p[1] == '-') {
            int start = byte(pat.p[0]);
            int end = byte(pat.p[2]);
            if (start > end) std::swap(start, end);
            pat.advance();
            pat.advance();
            if (byte(c) >= start && byte(c) <= end) match = true;
        } else if (pat.p[0] == c) {
            match = true;
        }
        pat.advance();
    }
    return negate ? !match : match;
}

bool match_impl(Cursor pat, Cursor str, bool& skip_longer, int nesting) {
    if (nesting > 1000) return false;  // Redis's protection against abusive patterns
    while (pat.left > 0 && str.left > 0) {
        switch (pat.p[0]) {
            case '*':
                while (pat.left > 0 && pat.at(1) == '*') pat.advance();
                if (pat.left == 1) return true;
                while (str.left > 0) {
                    if (match_impl({pat.p + 1, pat.left - 1}, str, skip_longer, nesting + 1)) {
                        return true;
                    }
                    if (skip_longer) return false;
                    str.advance();
                }
                // The rest of the pattern matches nowhere in the rest of the string: no
                // earlier star can help by matching more (Redis's skipLongerMatches).
                skip_longer = true;
                return false;
            case '?':
                str.advance();
                break;
            case '[':
                if (!bracket_matches(pat, str.p[0])) return false;
                str.advance();
                break;
            case '\\':
                if (pat.left >= 2) pat.advance();
                [[fallthrough]];
            default:
                if (pat.p[0] != str.p[0]) return false;
                str.advance();
                break;
        }
        pat.advance();
        if (str.left == 0) {
            while (pat.left > 0 && pat.p[0] == '*') pat.advance();
            break;
        }
    }
    return pat.left == 0 && str.left == 0;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
    bool skip_longer = false;
    return match_impl({pattern.data(), pattern.size()}, {text.data(), text.size()}, skip_longer, 0);
}

}  // namespace amr::util
