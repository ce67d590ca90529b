#include "bench/stamp.hpp"

#include <cstring>

namespace amr::bench {
namespace {

constexpr char magic[4] = {'a', 'm', 'r', 'b'};
constexpr char hex_digits[] = "0123456789abcdef";

void put_hex(char* out, uint64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
        out[i] = hex_digits[value & 0xf];
        value >>= 4;
    }
}

// -1 for anything but 0-9 and a-f.
inline int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool get_hex(const char* in, int width, uint64_t& value) {
    uint64_t v = 0;
    for (int i = 0; i < width; ++i) {
        const int d = hex_value(in[i]);
        if (d < 0) return false;
        v = (v << 4) | static_cast<uint64_t>(d);
    }
    value = v;
    return true;
}

}  // namespace

void write_stamp(char* p, const Stamp& s) {
    std::memcpy(p, magic, 4);
    put_hex(p + 4, s.run, 8);
    p[12] = s.warmup ? 'w' : 'm';
    put_hex(p + 13, s.publisher, 4);
    put_hex(p + 17, s.channel, 4);
    put_hex(p + 21, s.sequence, 12);
    put_hex(p + 33, s.sent_ns, 12);
}

std::string make_payload(const Stamp& stamp, size_t size) {
    std::string payload(size < stamp_size ? stamp_size : size, '.');
    write_stamp(payload.data(), stamp);
    return payload;
}

const char* describe(StampProblem problem) {
    switch (problem) {
        case StampProblem::none:
            return "none";
        case StampProblem::too_short:
            return "shorter than a stamp";
        case StampProblem::not_a_stamp:
            return "does not start with amrb";
        case StampProblem::bad_digit:
            return "a field that is not lowercase hex";
        case StampProblem::bad_flag:
            return "neither m nor w after the run";
    }
    return "unknown";
}

Decoded decode_stamp(std::string_view payload) {
    if (payload.size() < stamp_size) return {std::nullopt, StampProblem::too_short};
    const char* p = payload.data();
    if (std::memcmp(p, magic, 4) != 0) return {std::nullopt, StampProblem::not_a_stamp};
    if (p[12] != 'm' && p[12] != 'w') return {std::nullopt, StampProblem::bad_flag};
    uint64_t run, publisher, channel, sequence, sent;
    if (!get_hex(p + 4, 8, run) || !get_hex(p + 13, 4, publisher) || !get_hex(p + 17, 4, channel) ||
        !get_hex(p + 21, 12, sequence) || !get_hex(p + 33, 12, sent)) {
        return {std::nullopt, StampProblem::bad_digit};
    }
    Stamp s;
    s.run = static_cast<uint32_t>(run);
    s.warmup = p[12] == 'w';
    s.publisher = static_cast<uint32_t>(publisher);
    s.channel = static_cast<uint32_t>(channel);
    s.sequence = sequence;
    s.sent_ns = sent;
    return {s, StampProblem::none};
}

}  // namespace amr::bench
