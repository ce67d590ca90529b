#include "redis/push_reader.hpp"

#include <algorithm>

namespace amr::redis {
namespace {

constexpr size_t read_size = 256 * 1024;

}  // namespace

void PushReader::reset(const std::string& unparsed) {
    buffer_.assign(unparsed.begin(), unparsed.end());
    start_ = 0;
    end_ = buffer_.size();
}

size_t PushReader::read_from(Connection& connection) {
    // Move the unparsed tail to the front, and make room for one more read.
    if (start_ > 0) {
        std::copy(buffer_.begin() + static_cast<std::ptrdiff_t>(start_),
                  buffer_.begin() + static_cast<std::ptrdiff_t>(end_), buffer_.begin());
        end_ -= start_;
        start_ = 0;
    }
    if (buffer_.size() - end_ < read_size) buffer_.resize(end_ + read_size);
    const size_t n = connection.read_raw(buffer_.data() + end_, buffer_.size() - end_);
    end_ += n;
    return n;
}

bool PushReader::next(Frame& frame) {
    const size_t used = parse_frame({buffer_.data() + start_, end_ - start_}, frame);
    start_ += used;
    return used > 0;
}

}  // namespace amr::redis
