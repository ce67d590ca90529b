// Replies of the type a command gets: anything else is a protocol fault (a connection
// Error, exit 3) that names the server, the command and the type in words.
#pragma once

#include <hiredis.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "error.hpp"

namespace amr::redis {

// "a bulk string", "an array", ... for a hiredis reply type.
std::string_view reply_type_name(int type);

// "protocol error from HOST:PORT: <what>"
Error protocol_error(const std::string& endpoint, const std::string& what);

// Throws protocol_error("the reply to COMMAND was <type>, not <wanted>") unless `reply`
// has one of `types`.
void expect_type(const redisReply* reply, std::initializer_list<int> types, std::string_view wanted,
                 std::string_view command, const std::string& endpoint);

// A count (PUBLISH's receivers, NUMPAT, NUMSUB's): an integer >= 0.
long long count_of(const redisReply* reply, std::string_view command, const std::string& endpoint);

// A string element (bulk, simple or verbatim).
std::string_view text_of(const redisReply* reply, std::string_view command,
                         const std::string& endpoint);

}  // namespace amr::redis
