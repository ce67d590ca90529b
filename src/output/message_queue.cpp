#include "output/message_queue.hpp"

#include <cstdint>
#include <cstring>

namespace amr::output {
namespace {

constexpr size_t merge_below = 64 * 1024;
constexpr size_t max_spares = 8;
constexpr size_t max_spare_capacity = 1024 * 1024;

struct RecordHeader {
    uint8_t flags;  // 1: pattern message, 2: sharded message
    uint32_t pattern_size;
    uint32_t channel_size;
    uint32_t payload_size;
    int64_t received_at_us;
};

}  // namespace

void append_record(Chunk& chunk, const Received& m) {
    RecordHeader h{};
    h.flags = static_cast<uint8_t>((m.is_pattern ? 1 : 0) | (m.is_sharded ? 2 : 0));
    h.pattern_size = static_cast<uint32_t>(m.pattern.size());
    h.channel_size = static_cast<uint32_t>(m.channel.size());
    h.payload_size = static_cast<uint32_t>(m.payload.size());
    h.received_at_us =
        std::chrono::duration_cast<std::chrono::microseconds>(m.received_at.time_since_epoch())
            .count();
    chunk.bytes.append(reinterpret_cast<const char*>(&h), sizeof h);
    chunk.bytes.append(m.pattern);
    chunk.bytes.append(m.channel);
    chunk.bytes.append(m.payload);
    ++chunk.records;
}

bool next_record(const Chunk& chunk, size_t& pos, Received& m) {
    if (pos + sizeof(RecordHeader) > chunk.bytes.size()) return false;
    RecordHeader h;
    std::memcpy(&h, chunk.bytes.data() + pos, sizeof h);
    const char* p = chunk.bytes.data() + pos + sizeof h;
    m.is_pattern = (h.flags & 1) != 0;
    m.is_sharded = (h.flags & 2) != 0;
    m.pattern = {p, h.pattern_size};
    m.channel = {p + h.pattern_size, h.channel_size};
    m.payload = {p + h.pattern_size + h.channel_size, h.payload_size};
    m.received_at = util::SystemTime(std::chrono::duration_cast<util::SystemTime::duration>(
        std::chrono::microseconds(h.received_at_us)));
    pos += sizeof h + h.pattern_size + h.channel_size + h.payload_size;
    return true;
}

void MessageQueue::push(Chunk chunk) {
    {
        std::lock_guard lock(mutex_);
        bytes_ += chunk.bytes.size();
        if (!chunks_.empty() && chunks_.back().bytes.size() < merge_below) {
            // The writer is behind: grow the last chunk rather than queue many small ones.
            chunks_.back().bytes.append(chunk.bytes);
            chunks_.back().records += chunk.records;
            keep_spare(std::move(chunk));
        } else {
            chunks_.push_back(std::move(chunk));
        }
        while (bytes_ > limit_ && chunks_.size() > 1) {
            bytes_ -= chunks_.front().bytes.size();
            dropped_ += chunks_.front().records;
            keep_spare(std::move(chunks_.front()));
            chunks_.pop_front();
        }
    }
    ready_.notify_one();
}

bool MessageQueue::pop_all(std::vector<Chunk>& out) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [this] { return !chunks_.empty() || closed_; });
    if (chunks_.empty()) return false;
    for (auto& c : chunks_) out.push_back(std::move(c));
    chunks_.clear();
    bytes_ = 0;
    return true;
}

bool MessageQueue::pop_one(Chunk& out) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [this] { return !chunks_.empty() || closed_; });
    if (chunks_.empty()) return false;
    out = std::move(chunks_.front());
    chunks_.pop_front();
    bytes_ -= out.bytes.size();
    return true;
}

void MessageQueue::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    ready_.notify_all();
}

Chunk MessageQueue::take_spare() {
    std::lock_guard lock(mutex_);
    if (spares_.empty()) return {};
    Chunk chunk = std::move(spares_.back());
    spares_.pop_back();
    return chunk;
}

void MessageQueue::give_back(Chunk chunk) {
    std::lock_guard lock(mutex_);
    keep_spare(std::move(chunk));
}

void MessageQueue::keep_spare(Chunk chunk) {
    if (spares_.size() >= max_spares || chunk.bytes.capacity() > max_spare_capacity) return;
    chunk.bytes.clear();
    chunk.records = 0;
    spares_.push_back(std::move(chunk));
}

size_t MessageQueue::take_dropped() {
    std::lock_guard lock(mutex_);
    size_t n = dropped_;
    dropped_ = 0;
    return n;
}

}  // namespace amr::output
