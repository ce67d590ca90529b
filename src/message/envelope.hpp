// publish --envelope: one line of `amr subscribe -j` output (a JSON object) back into the
// message it describes: "channel" (or "channel_base64"), the payload from "data" (a JSON
// string as its text; any other value as its exact bytes on the line) or "data_base64"
// (which wins), and "type": "smessage" for SPUBLISH. Other fields are ignored; of a key
// given twice, the last counts. Lines are outside bytes: the parse is bounded (the depth
// limit of message/json_check.hpp, one level more for the envelope itself).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace amr::message {

struct Envelope {
    // Valid until the next decode() and while the line's bytes are.
    std::string_view channel;
    std::string_view payload;
    bool sharded = false;          // "type": "smessage"
    std::string_view received_at;  // "" when absent or not a string; set only when asked
};

class EnvelopeDecoder {
  public:
    // `want_received_at`: also take "received_at" (publish --pace received).
    explicit EnvelopeDecoder(bool want_received_at = false) : want_received_at_(want_received_at) {}

    // Decodes `line` into `out`. On failure, the reason: 'no "channel" field', 'not
    // valid JSON at byte N: ...', '"data_base64" is not base64 (character N)', ...
    // A line of plain JSON (the common -j line) takes a quick scan, the rest the full
    // parser; `quick` false: the full parser only, for tests that compare the two.
    std::optional<std::string> decode(std::string_view line, Envelope& out, bool quick = true);

  private:
    bool decode_plain(std::string_view line, Envelope& out);
    std::optional<std::string> finish(Envelope& out);

    bool want_received_at_;
    bool has_channel_b64_ = false;
    bool has_data_b64_ = false;
    std::string channel_;  // decoded text, when not a span of the line
    std::string payload_;
    std::string received_at_;
    std::string base64_;  // "channel_base64", before decoding
    std::string data_base64_;
    std::string scratch_;  // "type", unescaped
};

}  // namespace amr::message
