#include "output/terminal_escape.hpp"

#include <cstdio>

namespace amr::output {

size_t utf8_sequence(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    if (c < 0x80) return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;  // no UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (size_t k = 2; k < len; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    }
    return len;
}

namespace {

void append_hex(unsigned char c, std::string& out) {
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out.append(buf, 4);
}

void append_control(unsigned char c, std::string& out) {
    switch (c) {
        case '\n':
            out += "\\n";
            return;
        case '\r':
            out += "\\r";
            return;
        case '\t':
            out += "\\t";
            return;
        case '\a':
            out += "\\a";
            return;
        case '\b':
            out += "\\b";
            return;
        default:
            append_hex(c, out);
    }
}

}  // namespace

void append_terminal_escaped(std::string_view text, std::string& out, Newlines newlines) {
    size_t i = 0;
    while (i < text.size()) {
        // Printable ASCII goes in runs: most names and payloads are nothing else.
        size_t run = i;
        while (run < text.size()) {
            const auto c = static_cast<unsigned char>(text[run]);
            if (c < 0x20 || c >= 0x7f) break;
            ++run;
        }
        out.append(text, i, run - i);
        i = run;
        if (i == text.size()) break;
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if (c == '\n' && newlines == Newlines::keep) {
                out += '\n';
            } else {
                append_control(c, out);
            }
            ++i;
            continue;
        }
        const size_t len = utf8_sequence(text, i);
        // U+0080..U+009F are C1 controls: 0xC2 0x9B is CSI to some terminals.
        const bool c1 = len == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
        if (len == 0 || c1) {
            const size_t bytes = len == 0 ? 1 : len;
            for (size_t k = 0; k < bytes; ++k)
                append_hex(static_cast<unsigned char>(text[i + k]), out);
            i += bytes;
        } else {
            out.append(text, i, len);
            i += len;
        }
    }
}

std::string terminal_escaped(std::string_view text) {
    std::string out;
    append_terminal_escaped(text, out);
    return out;
}

}  // namespace amr::output
