#include "redis/pubsub_event.hpp"

#include <algorithm>
#include <charconv>

namespace amr::redis {
namespace {

// The server's count of subscriptions; -1 when it is not a number that fits.
long long to_integer(std::string_view text) {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() ? value : -1;
}

}  // namespace

PubSubEvent decode_pubsub(const Frame& f) {
    using Kind = PubSubEvent::Kind;
    PubSubEvent e;
    if (f.type == Frame::Type::error) {
        e.kind = Kind::error;
        e.payload = f.text;
        return e;
    }
    if (f.type != Frame::Type::array || f.count < 2 || !(f.strings & 1u)) return e;
    const std::string_view kind = f.items[0];
    // A message whose channel or payload is not a string (an array, a null) is not one.
    const bool all_strings = f.strings == (1u << std::min<size_t>(f.count, 4)) - 1;
    if ((kind == "message" || kind == "smessage") && f.count == 3 && all_strings) {
        e.kind = kind == "message" ? Kind::message : Kind::smessage;
        e.channel = f.items[1];
        e.payload = f.items[2];
    } else if (kind == "pmessage" && f.count == 4 && all_strings) {
        e.kind = Kind::pmessage;
        e.pattern = f.items[1];
        e.channel = f.items[2];
        e.payload = f.items[3];
    } else if ((kind == "subscribe" || kind == "psubscribe" || kind == "ssubscribe") &&
               f.count == 3) {
        e.kind = Kind::subscribed;
    } else if ((kind == "unsubscribe" || kind == "punsubscribe" || kind == "sunsubscribe") &&
               f.count == 3) {
        e.kind = Kind::unsubscribed;
    } else if (kind == "pong") {
        e.kind = Kind::pong;
    }
    if (e.kind == Kind::subscribed || e.kind == Kind::unsubscribed) {
        e.for_pattern = kind[0] == 'p';
        e.for_shard = kind == "ssubscribe" || kind == "sunsubscribe";
        e.channel = f.items[1];
        e.count = to_integer(f.items[2]);
    }
    return e;
}

}  // namespace amr::redis
