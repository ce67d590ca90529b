// Base64 (RFC 4648, the standard alphabet with '=' padding): the exact bytes of a payload
// in subscribe -j lines (data_base64, channel_base64) and back in publish --envelope.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace amr::util {

// Appends `in` encoded to `out`.
void append_base64(std::string_view in, std::string& out);
std::string base64(std::string_view in);

// Replaces `out`'s content with `in` decoded. Strict: the length a multiple of 4, padding
// only at the end, no whitespace. On failure, the offset in `in` of the first character
// that is wrong (out is then unspecified).
std::optional<size_t> decode_base64(std::string_view in, std::string& out);

}  // namespace amr::util
