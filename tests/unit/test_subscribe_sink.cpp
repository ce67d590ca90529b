#include <doctest/doctest.h>

#include <thread>

#include "commands/subscribe_sink.hpp"

using namespace amr;
using namespace std::chrono_literals;

namespace {

redis::PubSubEvent message(std::string_view channel, std::string_view payload = "p") {
    redis::PubSubEvent e;
    e.kind = redis::PubSubEvent::Kind::message;
    e.channel = channel;
    e.payload = payload;
    return e;
}

std::vector<std::string> channels_in(output::MessageQueue& queue) {
    queue.close();
    std::vector<output::Chunk> chunks;
    std::vector<std::string> out;
    while (queue.pop_all(chunks)) {
        for (const auto& chunk : chunks) {
            size_t pos = 0;
            output::Received m;
            while (output::next_record(chunk, pos, m)) out.emplace_back(m.channel);
        }
        chunks.clear();
    }
    return out;
}

}  // namespace

TEST_CASE("QueueSink drops excluded channels before --count counts them") {
    output::MessageQueue queue(1 << 20);
    commands::QueueSink sink(queue, {.count = 2, .excludes = {"noise*", "x[0-9]"}, .idle = {}});
    CHECK(sink.on_message(message("noise:1")));
    CHECK(sink.on_message(message("a")));
    CHECK(sink.on_message(message("x7")));
    CHECK_FALSE(sink.on_message(message("x77")));  // not excluded: the second, so stop
    sink.flush();
    CHECK(sink.received() == 2);
    CHECK(sink.excluded() == 2);
    CHECK(channels_in(queue) == std::vector<std::string>{"a", "x77"});
}

TEST_CASE("QueueSink's idle deadline moves with messages, not with excluded ones") {
    output::MessageQueue queue(1 << 20);
    commands::QueueSink none(queue, {.count = {}, .excludes = {}, .idle = {}});
    CHECK_FALSE(none.idle_deadline().has_value());

    commands::QueueSink sink(queue, {.count = {}, .excludes = {"skip"}, .idle = 1000ms});
    sink.on_idle();  // the start
    const auto first = *sink.idle_deadline();
    std::this_thread::sleep_for(5ms);
    sink.on_message(message("skip"));
    sink.on_idle();
    CHECK(*sink.idle_deadline() == first);
    sink.on_idle();  // a wake-up without messages
    CHECK(*sink.idle_deadline() == first);
    sink.on_message(message("kept"));
    sink.on_idle();
    CHECK(*sink.idle_deadline() > first);
}
