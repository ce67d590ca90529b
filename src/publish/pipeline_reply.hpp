// What the reply to a command of publish's pipeline means (publish/pipeline.cpp), apart
// from the connection, so that tests/fuzz/fuzz_pipeline.cpp can feed it any reply.
#pragma once

#include <hiredis.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace amr::publish {

enum class Pipelined : uint8_t { message, ping, auth };

struct PipelinedReply {
    bool refused = false;     // an error reply: the server refused the command
    long long receivers = 0;  // a message's PUBLISH or SPUBLISH: the clients that got it
};

// A message's command (`verb`, for input line `line`) gets an integer >= 0 or an error,
// PING gets PONG or an error, AUTH a status or an error. Any other reply is a protocol
// error from `endpoint` (a connection Error, exit 3, or a reconnect with --retry) naming
// the command, the line and what came: the connection cannot be trusted with the rest.
PipelinedReply read_pipelined_reply(const redisReply* reply, Pipelined sent, std::string_view verb,
                                    uint64_t line, const std::string& endpoint);

}  // namespace amr::publish
