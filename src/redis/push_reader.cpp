#include "redis/push_reader.hpp"

#include <cstring>

namespace amr::redis {
namespace {

constexpr size_t read_size = 256 * 1024;

}  // namespace

void PushReader::reset(Connection& connection) {
    parser_ = FrameParser(connection.settings().max_bulk, connection.endpoint());
    const std::string unparsed = connection.take_unparsed();
    buffer_.assign(unparsed.begin(), unparsed.end());
    start_ = 0;
    end_ = buffer_.size();
}

// Moves the frame in progress to the front, without the bytes it no longer needs (a
// payload skipped, values nested in it), when that moves fewer bytes than it frees: the
// buffer then holds what the frame hands out, not all of it, and each byte moves about once.
void PushReader::make_room() {
    char* const data = buffer_.data();
    const size_t kept = parser_.kept();
    const size_t parsed = parser_.parsed();
    const size_t tail = end_ - start_ - parsed;
    if (parsed - kept >= tail && parsed > kept) {
        std::memmove(data + start_ + kept, data + start_ + parsed, tail);
        end_ -= parsed - kept;
        parser_.dropped();
    }
    if (start_ > 0) {
        std::memmove(data, data + start_, end_ - start_);
        end_ -= start_;
        start_ = 0;
    }
}

size_t PushReader::read_from(Connection& connection) {
    make_room();
    if (buffer_.size() - end_ < read_size) buffer_.resize(end_ + read_size);
    try {
        const size_t n = connection.read_raw(buffer_.data() + end_, buffer_.size() - end_);
        end_ += n;
        return n;
    } catch (const Error& e) {
        if (end_ == start_ && !parser_.started()) throw;
        throw Error(e.kind(), std::string(e.what()) + " in the middle of a reply", e.hint());
    }
}

bool PushReader::next(Frame& frame) {
    const size_t used = parser_.parse({buffer_.data() + start_, end_ - start_}, frame);
    start_ += used;
    return used > 0;
}

}  // namespace amr::redis
