#include "publish/pipeline_reply.hpp"

#include "redis/reply_check.hpp"

namespace amr::publish {

PipelinedReply read_pipelined_reply(const redisReply* reply, Pipelined sent, std::string_view verb,
                                    uint64_t line, const std::string& endpoint) {
    if (reply->type == REDIS_REPLY_ERROR) return {.refused = true};
    std::string_view command = verb;
    bool ok = false;
    if (sent == Pipelined::ping) {
        command = "PING";
        ok =
            reply->type == REDIS_REPLY_STATUS && std::string_view(reply->str, reply->len) == "PONG";
    } else if (sent == Pipelined::auth) {
        command = "AUTH";
        ok = reply->type == REDIS_REPLY_STATUS;
    } else {
        ok = reply->type == REDIS_REPLY_INTEGER && reply->integer >= 0;
    }
    if (ok) return {.receivers = sent == Pipelined::message ? reply->integer : 0};
    const bool message = sent == Pipelined::message;
    std::string what = "the reply to " + std::string(command);
    if (message) what += " (line " + std::to_string(line) + ")";
    // (An integer to PING or AUTH was once called negative too.)
    what += message && reply->type == REDIS_REPLY_INTEGER
                ? " was a negative integer (" + std::to_string(reply->integer) + ")"
                : " was " + std::string(redis::reply_type_name(reply->type)) +
                      (message ? ", not an integer" : ", not PONG or OK");
    throw redis::protocol_error(endpoint, what);
}

}  // namespace amr::publish
