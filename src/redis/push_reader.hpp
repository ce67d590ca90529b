// The read side of one subscribed connection: bytes from the socket into a buffer that
// is reused, and whole frames out of it.
#pragma once

#include <string>
#include <vector>

#include "redis/connection.hpp"
#include "redis/push_parser.hpp"

namespace amr::redis {

class PushReader {
  public:
    // Starts over on `connection`, with what hiredis had read but not parsed.
    void reset(Connection& connection);
    // One read from `connection` (call when poll() says readable); returns the bytes
    // read, 0 when nothing came. Throws a connection Error when the connection is lost.
    size_t read_from(Connection& connection);
    // The next whole frame, or false. The frame's views are valid until the next read.
    // Throws a connection Error (naming the server) on bytes that are not RESP.
    bool next(Frame& frame);

  private:
    void make_room();

    FrameParser parser_;
    std::vector<char> buffer_;  // [start_, end_) is not parsed yet
    size_t start_ = 0;
    size_t end_ = 0;
};

}  // namespace amr::redis
