#include "redis/reply_check.hpp"

namespace amr::redis {

std::string_view reply_type_name(int type) {
    switch (type) {
        case REDIS_REPLY_STRING:
            return "a bulk string";
        case REDIS_REPLY_ARRAY:
            return "an array";
        case REDIS_REPLY_INTEGER:
            return "an integer";
        case REDIS_REPLY_NIL:
            return "a null";
        case REDIS_REPLY_STATUS:
            return "a simple string";
        case REDIS_REPLY_ERROR:
            return "an error";
        case REDIS_REPLY_DOUBLE:
            return "a double";
        case REDIS_REPLY_BOOL:
            return "a boolean";
        case REDIS_REPLY_MAP:
            return "a map";
        case REDIS_REPLY_SET:
            return "a set";
        case REDIS_REPLY_ATTR:
            return "an attribute";
        case REDIS_REPLY_PUSH:
            return "a push";
        case REDIS_REPLY_BIGNUM:
            return "a big number";
        case REDIS_REPLY_VERB:
            return "a verbatim string";
        default:
            return "a reply of an unknown type";
    }
}

Error protocol_error(const std::string& endpoint, const std::string& what) {
    return Error(ErrorKind::connection, "protocol error from " + endpoint + ": " + what);
}

void expect_type(const redisReply* reply, std::initializer_list<int> types, std::string_view wanted,
                 std::string_view command, const std::string& endpoint) {
    for (int t : types) {
        if (reply->type == t) return;
    }
    throw protocol_error(endpoint, "the reply to " + std::string(command) + " was " +
                                       std::string(reply_type_name(reply->type)) + ", not " +
                                       std::string(wanted));
}

long long count_of(const redisReply* reply, std::string_view command, const std::string& endpoint) {
    expect_type(reply, {REDIS_REPLY_INTEGER}, "an integer", command, endpoint);
    if (reply->integer < 0) {
        throw protocol_error(endpoint, "the reply to " + std::string(command) +
                                           " was a negative count (" +
                                           std::to_string(reply->integer) + ")");
    }
    return reply->integer;
}

std::string_view text_of(const redisReply* reply, std::string_view command,
                         const std::string& endpoint) {
    expect_type(reply, {REDIS_REPLY_STRING, REDIS_REPLY_STATUS, REDIS_REPLY_VERB}, "a string",
                command, endpoint);
    return {reply->str, reply->len};
}

}  // namespace amr::redis
