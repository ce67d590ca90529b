// RESP frames from a server (redis/push_parser.hpp) and what they mean (pubsub_event.hpp).
// Properties: a frame parsed whole is the same frame however its bytes are split across
// reads and whatever the reader drops in between (kept()/dropped()); every proper prefix of
// a frame is "incomplete" (0), never an error or another frame; the same bytes fail with
// the same error either way.
#include <algorithm>
#include <optional>
#include <string>

#include "fuzz_common.hpp"
#include "redis/pubsub_event.hpp"
#include "redis/push_parser.hpp"

using amr::redis::decode_pubsub;
using amr::redis::Frame;
using amr::redis::FrameParser;

namespace {

constexpr size_t max_bulk = 1 << 20;

struct Outcome {
    size_t size = 0;    // the frame's bytes; 0: incomplete
    std::string error;  // set when the parser threw
    Frame::Type type{};
    size_t count = 0;
    unsigned strings = 0;
    std::string items[4];
    std::string text;

    bool operator==(const Outcome&) const = default;
};

Outcome capture(size_t size, const Frame& f) {
    Outcome o;
    o.size = size;
    if (size == 0) return o;
    o.type = f.type;
    o.count = f.count;
    o.strings = f.strings;
    for (size_t i = 0; i < std::min(f.count, f.items.size()); ++i) o.items[i] = f.items[i];
    o.text = f.text;
    // decode_pubsub only reads views into the frame: ASan checks them.
    const auto event = decode_pubsub(f);
    volatile size_t touch = event.channel.size() + event.payload.size() + event.pattern.size();
    (void)touch;
    return o;
}

Outcome whole(std::string_view data) {
    FrameParser parser(max_bulk);
    Frame f;
    try {
        return capture(parser.parse(data, f), f);
    } catch (const amr::Error& e) {
        Outcome o;
        o.error = e.what();
        return o;
    }
}

// Feeds `data` in pieces whose sizes come from `split`, dropping what the parser no longer
// needs after each incomplete parse, as redis/push_reader.cpp does.
Outcome in_pieces(std::string_view data, std::string_view split) {
    FrameParser parser(max_bulk);
    Frame f;
    std::string buffer;
    size_t fed = 0;
    size_t dropped = 0;
    size_t step = 0;
    try {
        while (true) {
            size_t piece = split.empty() ? 1 : static_cast<uint8_t>(split[step++ % split.size()]);
            piece = std::min(piece % 64 + 1, data.size() - fed);
            buffer.append(data.substr(fed, piece));
            fed += piece;
            const size_t n = parser.parse(buffer, f);
            if (n > 0) return capture(n + dropped, f);
            if (fed == data.size()) return {};
            if (parser.parsed() > parser.kept()) {
                buffer.erase(parser.kept(), parser.parsed() - parser.kept());
                dropped += parser.parsed() - parser.kept();
                parser.dropped();
            }
        }
    } catch (const amr::Error& e) {
        Outcome o;
        o.error = e.what();
        return o;
    }
}

std::string describe(const Outcome& o) {
    return o.error.empty() ? "frame of " + std::to_string(o.size) + " bytes, " +
                                 std::to_string(o.count) + " items"
                           : "error: " + o.error;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
    // The first byte says how many of the next bytes choose the piece sizes.
    std::string_view input(reinterpret_cast<const char*>(bytes), size);
    const size_t split_len = input.empty() ? 0 : std::min<size_t>(input[0] % 8, input.size() - 1);
    const std::string_view split = input.substr(input.empty() ? 0 : 1, split_len);
    const std::string_view data = input.substr(std::min(input.size(), 1 + split_len));

    const Outcome all = whole(data);
    const Outcome pieces = in_pieces(data, split);
    fuzz::check(all == pieces, "a frame split across reads parses differently",
                describe(all) + " whole, " + describe(pieces) + " in pieces");

    if (all.size > 0) {
        // Every proper prefix is incomplete: all of them for short frames, 64 for long ones.
        const size_t stride = std::max<size_t>(1, all.size / 64);
        for (size_t n = 0; n < all.size; n += stride) {
            const Outcome part = whole(data.substr(0, n));
            fuzz::check(part.size == 0 && part.error.empty(),
                        "a prefix of a frame is not incomplete",
                        std::to_string(n) + " of " + std::to_string(all.size) +
                            " bytes: " + describe(part));
        }
    }
    return 0;
}
