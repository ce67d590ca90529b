// Shared by the libFuzzer harnesses (docs/FUZZING.md): a property that does not hold is a
// finding, reported like a crash so that libFuzzer saves the input.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

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

// The numbers of JSON text, as written, in order: the runs of number characters outside
// strings (`text` is JSON, so a backslash is in a string and escapes one character).
inline std::vector<std::string_view> numbers_of(std::string_view text) {
    std::vector<std::string_view> numbers;
    const std::string_view number_chars = "0123456789.eE+-";
    for (size_t i = 0; i < text.size();) {
        if (text[i] == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i) i += text[i] == '\\';
            ++i;
        } else if (number_chars.find(text[i]) != std::string_view::npos) {
            const size_t end = std::min(text.find_first_not_of(number_chars, i), text.size());
            numbers.push_back(text.substr(i, end - i));
            i = end;
        } else {
            ++i;
        }
    }
    return numbers;
}

}  // namespace fuzz
