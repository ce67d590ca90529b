// Replies to publish's pipelined commands (publish/pipeline_reply.hpp), read from the fuzz
// bytes as a Connection reads them (fuzz_replies.hpp). The first byte picks what each
// reply answers (a message's PUBLISH or SPUBLISH, PING, AUTH). Properties: a message's
// reply is a count of receivers >= 0 or a refusal; PING's is PONG or a refusal; AUTH's a
// status or a refusal; anything else is a protocol error (exit 3) naming the server, the
// command and, for a message, its line.
#include "fuzz_replies.hpp"
#include "publish/pipeline_reply.hpp"

using amr::publish::Pipelined;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const unsigned choice = data[0];
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::string_view verb = choice & 0x80 ? "SPUBLISH" : "PUBLISH";
    uint64_t line = 0;
    fuzz::for_each_reply(bytes, [&](const redisReply* reply) {
        ++line;
        // Mostly messages, as in a stream: a PING or AUTH now and then.
        const unsigned pick = (choice >> (line % 7)) & 7;
        const Pipelined sent = pick == 6   ? Pipelined::ping
                               : pick == 7 ? Pipelined::auth
                                           : Pipelined::message;
        try {
            const auto said = amr::publish::read_pipelined_reply(reply, sent, verb, line,
                                                                 std::string(fuzz::endpoint));
            fuzz::check(said.refused == (reply->type == REDIS_REPLY_ERROR),
                        "a refusal that is not an error reply, or the reverse");
            if (said.refused) return;
            if (sent == Pipelined::message) {
                fuzz::check(reply->type == REDIS_REPLY_INTEGER && said.receivers >= 0 &&
                                said.receivers == reply->integer,
                            "a message's receivers that are not the reply's count");
            } else if (sent == Pipelined::ping) {
                fuzz::check(reply->type == REDIS_REPLY_STATUS &&
                                std::string_view(reply->str, reply->len) == "PONG",
                            "PING answered by something other than PONG");
            } else {
                fuzz::check(reply->type == REDIS_REPLY_STATUS, "AUTH answered by no status");
            }
        } catch (const amr::Error& e) {
            const std::string_view what = e.what();
            fuzz::check(e.kind() == amr::ErrorKind::connection, "not a protocol error", what);
            fuzz::check(what.starts_with("protocol error from node.example:7000: the reply to "),
                        "a protocol error that names no server or command", what);
            const std::string command = sent == Pipelined::ping   ? "PING"
                                        : sent == Pipelined::auth ? "AUTH"
                                                                  : std::string(verb);
            fuzz::check(what.find("the reply to " + command) != what.npos,
                        "a protocol error naming another command", what);
            if (sent == Pipelined::message) {
                fuzz::check(what.find("(line " + std::to_string(line) + ")") != what.npos,
                            "a protocol error not naming the line", what);
            }
            fuzz::check(reply->type != REDIS_REPLY_ERROR, "an error reply taken for a fault");
        }
    });
    return 0;
}
