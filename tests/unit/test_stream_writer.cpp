#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "output/formatter.hpp"
#include "output/message_queue.hpp"
#include "output/stream_writer.hpp"

using namespace amr::output;

namespace {

// Points stdout at a pipe that nobody reads while it lives, so writes block once the
// pipe is full; the test's own stdout comes back after.
struct BlockedStdout {
    int saved = dup(STDOUT_FILENO);
    int fds[2] = {-1, -1};
    BlockedStdout() {
        REQUIRE(pipe(fds) == 0);
        REQUIRE(dup2(fds[1], STDOUT_FILENO) == STDOUT_FILENO);
    }
    ~BlockedStdout() {
        dup2(saved, STDOUT_FILENO);
        ::close(saved);
        ::close(fds[0]);
        ::close(fds[1]);
    }
};

// Threads of this process. A thread of an earlier test case may still be ending when a
// case starts, so a leak shows as more threads than at the start, not as a different count.
size_t threads() {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task"))
        ++n;
    return n;
}

// Whether the thread count comes down to `limit` within a few seconds. pthread_join
// returns when the kernel clears the thread's id, which comes before its task leaves
// /proc/self/task: right after a join the ended thread may still be listed (seen under
// ThreadSanitizer). A thread left blocked in write(2) never leaves, so a leak still fails.
bool threads_come_down_to(size_t limit) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (threads() > limit) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

void fill(MessageQueue& queue) {
    Chunk chunk;
    Received m;
    m.channel = "ch";
    const std::string payload(1 << 20, 'x');  // far more than a pipe holds
    m.payload = payload;
    for (int i = 0; i < 4; ++i) append_record(chunk, m);
    queue.push(std::move(chunk));
}

}  // namespace

TEST_CASE("StreamWriter gives up on a blocked stdout by ending its thread, not leaving it") {
    signal(SIGPIPE, SIG_IGN);
    const size_t before = threads();
    // Checked after stdout is back: doctest reports a failure on stdout, and the blocked
    // pipe would hold the test there for ever.
    bool finished = true;
    bool joined = false;
    {
        BlockedStdout blocked;
        MessageQueue queue(64 << 20);
        auto formatter = make_formatter(Format::raw, Display{});
        StreamWriter writer(queue, *formatter);
        writer.start();
        fill(queue);
        queue.close();
        finished = writer.finish(std::chrono::milliseconds(50));
        // Joined: no thread is left blocked in write(2) on the queue and formatter of
        // this scope.
        joined = threads_come_down_to(before);
    }
    CHECK_FALSE(finished);
    CHECK(joined);
    CHECK(threads_come_down_to(before));
}

TEST_CASE("StreamWriter's destructor joins a writer it was never asked to finish") {
    signal(SIGPIPE, SIG_IGN);
    const size_t before = threads();
    {
        BlockedStdout blocked;
        MessageQueue queue(64 << 20);
        auto formatter = make_formatter(Format::raw, Display{});
        StreamWriter writer(queue, *formatter);
        writer.start();
        fill(queue);
    }
    CHECK(threads_come_down_to(before));
}
