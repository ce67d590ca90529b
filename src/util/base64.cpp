#include "util/base64.hpp"

#include <array>
#include <cstdint>

namespace amr::util {
namespace {

constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// 0..63 for an alphabet character, 64 for anything else.
constexpr std::array<uint8_t, 256> make_values() {
    std::array<uint8_t, 256> values{};
    for (auto& v : values) v = 64;
    for (uint8_t i = 0; i < 64; ++i) values[static_cast<unsigned char>(table[i])] = i;
    return values;
}
constexpr std::array<uint8_t, 256> values = make_values();

}  // namespace

void append_base64(std::string_view in, std::string& out) {
    const size_t start = out.size();
    out.resize(start + (in.size() + 2) / 3 * 4);
    char* o = out.data() + start;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                           (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        *o++ = table[v >> 18];
        *o++ = table[(v >> 12) & 63];
        *o++ = table[(v >> 6) & 63];
        *o++ = table[v & 63];
    }
    if (i < in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        *o++ = table[v >> 18];
        *o++ = table[(v >> 12) & 63];
        *o++ = i + 1 < in.size() ? table[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
}

std::string base64(std::string_view in) {
    std::string out;
    append_base64(in, out);
    return out;
}

std::optional<size_t> decode_base64(std::string_view in, std::string& out) {
    out.clear();
    if (in.size() % 4 != 0) return in.size() - in.size() % 4;
    out.reserve(in.size() / 4 * 3);
    for (size_t i = 0; i < in.size(); i += 4) {
        const bool final = i + 4 == in.size();
        unsigned v = 0;
        int pad = 0;
        for (size_t k = 0; k < 4; ++k) {
            const auto c = static_cast<unsigned char>(in[i + k]);
            const uint8_t d = values[c];
            if (d == 64) {
                // '=' only as the last one or two characters of the last group.
                if (c != '=' || !final || k < 2 || (k == 2 && in[i + 3] != '=')) return i + k;
                ++pad;
                v <<= 6;
                continue;
            }
            if (pad > 0) return i + k;
            v = (v << 6) | d;
        }
        // The bits the padding drops must be zero (one encoding per byte string).
        if ((pad == 1 && (v & 0xFF) != 0) || (pad == 2 && (v & 0xFFFF) != 0)) {
            return i + 3 - static_cast<size_t>(pad);
        }
        out += static_cast<char>(v >> 16);
        if (pad < 2) out += static_cast<char>((v >> 8) & 0xFF);
        if (pad < 1) out += static_cast<char>(v & 0xFF);
    }
    return std::nullopt;
}

}  // namespace amr::util
