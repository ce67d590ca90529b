// The convention amr request and amr reply share: a request is a JSON object, and one of
// its fields ("reply_to" unless --reply-field says otherwise) names the channel its
// replies are published to.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace amr::message {

inline constexpr std::string_view default_reply_field = "reply_to";
inline constexpr std::string_view reply_channel_prefix = "amr:reply:";

// `request` with `"field":"channel"` added as its last member; every other byte stays as
// it was written. Throws a usage Error when `request` is not a JSON object, when it has
// the field already, or when `field` or `channel` is not UTF-8 (JSON could not carry it).
std::string add_reply_field(std::string_view request, std::string_view field,
                            std::string_view channel);

// Where a request's replies go: the channel, or why there is none.
struct ReplyAddress {
    std::optional<std::string> channel;
    std::string problem;  // when there is no channel: "not JSON (...)", "no field 'x'", ...
};

// Reads `field` of a request received from anyone: never throws for what it is given.
ReplyAddress find_reply_address(std::string_view request, std::string_view field);

}  // namespace amr::message
