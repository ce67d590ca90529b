// Replies from fuzz bytes the way redis::Connection reads them (connection.cpp): FrameParser
// (attributes refused) finds each whole reply, hiredis's redisReader builds it. Property:
// hiredis reads each reply FrameParser framed with the same size (Connection would call a
// difference a protocol error; it must never happen), or refuses it.
#pragma once

#include <hiredis.h>
#include <read.h>

#include <memory>
#include <string_view>

#include "fuzz_common.hpp"
#include "redis/push_parser.hpp"

namespace fuzz {

inline constexpr std::string_view endpoint = "node.example:7000";

// Calls `on_reply(const redisReply*)` for each reply of `bytes` but pushes (as on a RESP3
// connection), until the bytes end, a frame is not RESP or hiredis refuses one.
template <typename F>
void for_each_reply(std::string_view bytes, F on_reply) {
    constexpr size_t max_bulk = 1 << 20;
    std::unique_ptr<redisReader, decltype(&redisReaderFree)> reader(redisReaderCreate(),
                                                                    redisReaderFree);
    reader->maxelements = static_cast<long long>(max_bulk / 3);
    if (redisReaderFeed(reader.get(), bytes.data(), bytes.size()) != REDIS_OK) return;
    amr::redis::FrameParser parser(max_bulk, std::string(endpoint),
                                   amr::redis::FrameParser::Attributes::refuse);
    amr::redis::Frame frame;
    for (size_t at = 0;;) {
        size_t size = 0;
        try {
            size = parser.parse(bytes.substr(at), frame);
        } catch (const amr::Error& e) {
            check(e.kind() == amr::ErrorKind::connection, "a framing error that is not exit 3",
                  e.what());
            return;
        }
        if (size == 0) return;
        at += size;
        const size_t unparsed = reader->len - reader->pos;
        void* raw = nullptr;
        if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK || raw == nullptr) return;
        std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(static_cast<redisReply*>(raw),
                                                                      freeReplyObject);
        check(unparsed - (reader->len - reader->pos) == size,
              "hiredis reads a reply of another size than FrameParser");
        if (reply->type != REDIS_REPLY_PUSH) on_reply(reply.get());
    }
}

}  // namespace fuzz
