#include <doctest/doctest.h>

#include <string>
#include <thread>

#include "output/message_queue.hpp"

using namespace amr::output;

namespace {

Received message(std::string_view channel, std::string_view payload, bool pattern = false) {
    Received m;
    m.is_pattern = pattern;
    m.pattern = pattern ? "p:*" : "";
    m.channel = channel;
    m.payload = payload;
    m.received_at = amr::util::SystemTime(std::chrono::microseconds(1764073874906797));
    return m;
}

Chunk chunk_of(int n, size_t payload_size) {
    Chunk c;
    std::string payload(payload_size, 'x');
    for (int i = 0; i < n; ++i) append_record(c, message("ch", payload));
    return c;
}

}  // namespace

TEST_CASE("append_record and next_record round-trip every field, binary included") {
    Chunk c;
    const std::string binary("\0\xff\r\n", 4);
    append_record(c, message("orders:created", "{\"a\":1}"));
    append_record(c, message("o:x", binary, true));
    CHECK(c.records == 2);

    size_t pos = 0;
    Received m;
    REQUIRE(next_record(c, pos, m));
    CHECK_FALSE(m.is_pattern);
    CHECK(m.channel == "orders:created");
    CHECK(m.payload == "{\"a\":1}");
    CHECK(m.received_at.time_since_epoch() == std::chrono::microseconds(1764073874906797));
    REQUIRE(next_record(c, pos, m));
    CHECK(m.is_pattern);
    CHECK(m.pattern == "p:*");
    CHECK(m.payload == binary);
    CHECK_FALSE(next_record(c, pos, m));
}

TEST_CASE("MessageQueue hands over chunks in order, small ones merged, and ends after close") {
    MessageQueue q(1 << 20);
    q.push(chunk_of(3, 10));
    q.push(chunk_of(2, 10));         // merged into the small first chunk
    q.push(chunk_of(1, 70 * 1024));  // big: merged too, the tail was small
    q.push(chunk_of(1, 5));          // the tail is big now: a chunk of its own
    std::vector<Chunk> out;
    REQUIRE(q.pop_all(out));
    REQUIRE(out.size() == 2);
    CHECK(out[0].records == 6);
    CHECK(out[1].records == 1);
    size_t pos = 0;
    Received m;
    int n = 0;
    while (next_record(out[0], pos, m)) ++n;
    CHECK(n == 6);
    q.close();
    out.clear();
    CHECK_FALSE(q.pop_all(out));
}

TEST_CASE("MessageQueue drops the oldest chunks over its limit and counts their messages") {
    MessageQueue q(200000);
    for (int i = 0; i < 10; ++i) q.push(chunk_of(10, 7000));  // ~70 kB a chunk: none merged
    const size_t dropped = q.take_dropped();
    CHECK(dropped > 0);
    CHECK(q.take_dropped() == 0);  // counted once
    std::vector<Chunk> out;
    REQUIRE(q.pop_all(out));
    size_t kept = 0;
    for (const auto& c : out) kept += c.records;
    CHECK(kept + dropped == 100);
}

TEST_CASE("MessageQueue keeps the newest chunk even when it alone is over the limit") {
    MessageQueue q(10);
    q.push(chunk_of(1, 70 * 1024));
    q.push(chunk_of(1, 70 * 1024));
    CHECK(q.take_dropped() == 1);
    std::vector<Chunk> out;
    REQUIRE(q.pop_all(out));
    CHECK(out.size() == 1);
}

TEST_CASE("MessageQueue gives written chunks back empty, with their memory, and keeps few") {
    MessageQueue q(1 << 20);
    CHECK(q.take_spare().bytes.capacity() < 1024);  // none yet: a new chunk
    Chunk written = chunk_of(3, 1000);
    const size_t capacity = written.bytes.capacity();
    const char* memory = written.bytes.data();
    q.give_back(std::move(written));
    Chunk spare = q.take_spare();
    CHECK(spare.bytes.empty());
    CHECK(spare.records == 0);
    CHECK(spare.bytes.capacity() == capacity);
    CHECK(spare.bytes.data() == memory);
    CHECK(q.take_spare().bytes.capacity() < 1024);  // it was the only one

    for (int i = 0; i < 20; ++i) q.give_back(chunk_of(1, 1000));
    int kept = 0;
    while (q.take_spare().bytes.capacity() >= 1000) ++kept;
    CHECK(kept > 0);
    CHECK(kept < 20);  // a few are kept, not every chunk ever written

    q.give_back(chunk_of(1, 4 * 1024 * 1024));  // oversized: freed, not kept
    CHECK(q.take_spare().bytes.capacity() < 1024);
}

TEST_CASE("MessageQueue wakes a waiting reader") {
    MessageQueue q(1 << 20);
    std::vector<Chunk> out;
    std::thread reader([&] { q.pop_all(out); });
    q.push(chunk_of(1, 1));
    reader.join();
    CHECK(out.size() == 1);
}
