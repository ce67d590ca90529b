// The reply_to convention of request and reply (message/reply_to.hpp), on any bytes:
// find_reply_address never throws and finds only a non-empty string; add_reply_field
// either refuses with a usage error or gives JSON that keeps the input's bytes before its
// last '}' and whose reply field reads back as the channel given; a request whose field
// is found cannot get a second one.
#include <string>

#include "fuzz_common.hpp"
#include "message/json_check.hpp"
#include "message/reply_to.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    using namespace amr::message;
    const std::string channel = "amr:reply:\x1b]0;\"\\\u00e9\n";
    const ReplyAddress found = find_reply_address(text, "reply_to");
    if (found.channel) {
        fuzz::check(!found.channel->empty(), "an empty reply channel was found", text);
        fuzz::check(found.problem.empty(), "a reply channel and a problem", text);
    } else {
        fuzz::check(!found.problem.empty(), "neither a reply channel nor a problem", text);
    }
    try {
        const std::string out = add_reply_field(text, "reply_to", channel);
        fuzz::check(!found.channel, "a second reply field was added", text);
        fuzz::check(!check_json(out), "add_reply_field wrote something that is not JSON", out);
        const size_t close = text.rfind('}');
        fuzz::check(close != std::string::npos && out.compare(0, close, text, 0, close) == 0,
                    "add_reply_field changed the request's bytes", out);
        const ReplyAddress back = find_reply_address(out, "reply_to");
        fuzz::check(back.channel && *back.channel == channel,
                    "the added reply field does not read back", out);
    } catch (const amr::Error& e) {
        fuzz::check(e.kind() == amr::ErrorKind::usage, "add_reply_field: not a usage error",
                    e.what());
    }
    return 0;
}
