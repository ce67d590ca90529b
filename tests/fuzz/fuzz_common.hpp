// Shared by the libFuzzer harnesses (docs/FUZZING.md): a property that does not hold is a
// finding, reported like a crash so that libFuzzer saves the input.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "error.hpp"

namespace fuzz {

// The secret the URL and .env harnesses plant in their input: no error may repeat it.
inline constexpr std::string_view planted_secret = "pw-PLANTED-s3cr3t";

[[noreturn]] inline void fail(const char* property, std::string_view detail = {}) {
    std::fprintf(stderr, "PROPERTY FAILED: %s\n%.*s\n", property, static_cast<int>(detail.size()),
                 detail.data());
    std::abort();
}

inline void check(bool ok, const char* property, std::string_view detail = {}) {
    if (!ok) fail(property, detail);
}

inline bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

// An amr::Error must not repeat the planted secret, in its message or its hint.
inline void check_no_secret(const amr::Error& e) {
    check(!contains(e.what(), planted_secret), "error message holds the planted secret", e.what());
    check(!contains(e.hint(), planted_secret), "error hint holds the planted secret", e.hint());
}

// `data` with the planted secret inserted at a position the input's first byte picks.
inline std::string with_planted_secret(const uint8_t* data, size_t size) {
    if (size == 0) return std::string(planted_secret);
    std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    const size_t at = text.empty() ? 0 : data[0] % (text.size() + 1);
    text.insert(at, planted_secret);
    return text;
}

}  // namespace fuzz

namespace fuzz {

// A property that fails for a known finding not fixed yet (docs/FUZZING.md, "Open
// findings"): reported only with AMR_FUZZ_OPEN_FINDINGS=fail, so a run goes on to find
// others meanwhile.
inline void check_open(bool ok, const char* property, std::string_view detail = {}) {
    static const bool strict = [] {
        const char* v = std::getenv("AMR_FUZZ_OPEN_FINDINGS");
        return v != nullptr && std::string_view(v) == "fail";
    }();
    if (!ok && strict) fail(property, detail);
}

// True when `text` is one JSON number whose digits are all zeros, e.g. 0e55: RapidJSON
// 1.1 reads some of them as another number (open finding, docs/FUZZING.md).
inline bool zero_number(std::string_view text) {
    size_t i = text.starts_with('-') ? 1 : 0;
    bool digit = false;
    for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
        if (text[i] == '0') {
            digit = true;
        } else if (text[i] != '.') {
            return false;
        }
    }
    if (i < text.size()) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        if (i == text.size()) return false;
        for (; i < text.size(); ++i) {
            if (text[i] < '0' || text[i] > '9') return false;
        }
    }
    return digit;
}

// True when a run of number characters in `text` is such a zero, or has 19 significant
// digits or more: RapidJSON 1.1 misreads some of those too (184467440737095516159 as
// -2.0e264) or of a 3-digit exponent (1e-324 as NaN), and the value it reads varies
// from one parse to the next.
inline bool has_misread_number(std::string_view text) {
    const std::string_view number_chars = "0123456789.eE+-";
    size_t i = 0;
    while (i < text.size()) {
        const size_t start = text.find_first_of(number_chars, i);
        if (start == std::string_view::npos) break;
        size_t end = text.find_first_not_of(number_chars, start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view run = text.substr(start, end - start);
        if (zero_number(run)) return true;
        const size_t first = run.find_first_of("123456789");
        const size_t exponent = std::min(run.find_first_of("eE"), run.size());
        size_t digits = 0;
        for (size_t k = first; k < exponent; ++k) digits += run[k] >= '0' && run[k] <= '9';
        if (first < exponent && digits >= 19) return true;
        // An exponent of 3 digits: 1e-324 is read as NaN, which the writer refuses.
        if (exponent < run.size() && run.find_first_not_of("+-", exponent + 1) + 3 <= run.size()) {
            return true;
        }
        i = end;
    }
    return false;
}

// True when `text` holds an escape of a low surrogate (\uDC00 to \uDFFF): RapidJSON 1.1
// accepts one without its high surrogate and writes the 3 bytes of a surrogate, which
// are not UTF-8, so what amr re-writes is not JSON it reads back (open finding 5).
inline bool has_low_surrogate_escape(std::string_view text) {
    for (size_t i = text.find("\\u"); i != std::string_view::npos; i = text.find("\\u", i + 1)) {
        if (i + 3 < text.size() && (text[i + 2] | 0x20) == 'd' &&
            std::string_view("cdefCDEF").find(text[i + 3]) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace fuzz
