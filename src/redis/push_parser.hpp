// A small RESP2/RESP3 frame parser for subscribed connections. amr reads pub/sub traffic
// itself instead of through hiredis's reply objects: five allocations a message are too
// many to keep up with a server publishing at full speed.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace amr::redis {

struct Frame {
    enum class Type { array, error, simple, integer, null };
    Type type = Type::null;
    // Arrays and pushes: the first items (bulk or simple strings, integers as text).
    std::array<std::string_view, 4> items;
    size_t count = 0;       // items in the array (may exceed items.size())
    std::string_view text;  // error and simple strings, integer text
};

// Parses the frame at the start of `data` into `frame`; returns the bytes it took, or 0
// when `data` holds only part of a frame. Throws a failure Error on bytes that are not RESP.
size_t parse_frame(std::string_view data, Frame& frame);

}  // namespace amr::redis
