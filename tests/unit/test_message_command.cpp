#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "exec/command_pool.hpp"
#include "exec/message_command.hpp"

using namespace amr;
using namespace std::chrono_literals;
using End = util::CommandOutput::End;

namespace {

exec::MessageFacts facts(std::string_view channel = "orders:created", std::string_view pattern = {},
                         std::string_view type = "message") {
    // 2025-11-20T12:31:14.906Z
    return {type, channel, pattern, util::SystemTime(std::chrono::milliseconds(1763641874906LL))};
}

util::CommandLimits limits(std::optional<std::chrono::milliseconds> timeout, size_t max_output,
                           std::function<void(std::string_view)> overflow = {},
                           std::function<bool()> stop = {}) {
    return {.timeout = timeout,
            .max_output = max_output,
            .overflow = std::move(overflow),
            .stop = std::move(stop)};
}

exec::MessageCommandResult run(const std::string& command, std::string_view payload = {},
                               const exec::MessageFacts& f = facts(),
                               util::CommandLimits limits = {}) {
    signal(SIGPIPE, SIG_IGN);  // as amr does (app.cpp)
    exec::MessageEnvironment env;
    REQUIRE(env.build(f));
    return exec::run_message_command(command, payload, env, limits);
}

}  // namespace

TEST_CASE("run_message_command passes the message's facts in the environment") {
    auto r =
        run(R"(printf '%s|%s|%s|%s' "$AMR_CHANNEL" "$AMR_PATTERN" "$AMR_TYPE" "$AMR_RECEIVED_AT")",
            {}, facts("orders:eu", "orders:*", "pmessage"));
    CHECK(r.ok());
    CHECK(r.run.out == "orders:eu|orders:*|pmessage|2025-11-20T12:31:14.906Z");

    r = run(R"(printf '%s|%s' "${AMR_PATTERN-unset}" "$AMR_TYPE")", {}, facts("c", {}, "smessage"));
    CHECK(r.run.out == "|smessage");  // set and empty for messages that are not pmessage
}

TEST_CASE("inherited AMR_ variables are replaced, the others kept") {
    setenv("AMR_CHANNEL", "stale", 1);
    setenv("AMR_TEST_KEPT", "kept", 1);
    auto r =
        run(R"(printf '%s %s' "$AMR_CHANNEL" "$AMR_TEST_KEPT"; env | grep -c '^AMR_CHANNEL=')");
    unsetenv("AMR_CHANNEL");
    unsetenv("AMR_TEST_KEPT");
    CHECK(r.run.out == "orders:created kept1\n");
}

TEST_CASE("channels with any bytes but NUL reach the environment exactly") {
    const std::string odd = "a b\n\x1b[31m\xff$(id)";
    auto r = run(R"(printf '%s' "$AMR_CHANNEL")", {}, facts(odd));
    CHECK(r.run.out == odd);

    exec::MessageEnvironment env;
    CHECK_FALSE(env.build(facts(std::string_view("a\0b", 3))));
    CHECK(env.error().find("NUL") != std::string::npos);
    CHECK_FALSE(env.build(facts("c", std::string_view("p\0", 2), "pmessage")));
}

TEST_CASE("the payload reaches stdin byte for byte, however long") {
    std::string payload(3 * 1024 * 1024, '\0');
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7 % 256);
    // cat writes while amr still writes: both pipes must be served at once.
    auto r = run("cat", payload, facts(), limits({}, payload.size()));
    CHECK(r.ok());
    CHECK(r.run.out == payload);
}

TEST_CASE("a command that does not read its stdin is not a failure") {
    auto r = run("echo done", std::string(1024 * 1024, 'x'));
    CHECK(r.ok());
    CHECK(r.run.out == "done\n");
}

TEST_CASE("exit statuses and signals are told apart") {
    auto r = run("exit 3");
    CHECK_FALSE(r.ok());
    CHECK(r.run.end == End::exited);
    CHECK(r.run.status == 3);
    CHECK(r.describe() == "exit status 3");

    r = run("kill -TERM $$");
    CHECK(r.run.end == End::killed_by_signal);
    CHECK(r.run.status == SIGTERM);
    CHECK(r.describe() == "killed by signal 15 (TERM)");

    r = run("exec /nonexistent/command");
    CHECK(r.run.status == 127);
}

TEST_CASE("a command over its output limit is killed, or spills through overflow") {
    auto r = run("yes", {}, facts(), limits(10s, 1000));
    CHECK(r.run.end == End::too_long);
    CHECK(r.describe() == "printed too much (killed)");

    std::string spilled;
    r = run("seq 1 10000", {}, facts(),
            limits({}, 1000, [&](std::string_view piece) { spilled += piece; }));
    CHECK(r.ok());
    std::string expected;
    for (int i = 1; i <= 10000; ++i) expected += std::to_string(i) + "\n";
    CHECK(spilled + r.run.out == expected);
    CHECK(spilled.size() > 1000);
}

TEST_CASE("a timeout or a stop kills the command's whole process group") {
    const auto start = std::chrono::steady_clock::now();
    // The sleep in the background keeps stdout open: only killing the group ends it.
    auto r = run("sleep 30 & sleep 30", {}, facts(), limits(200ms, 1000));
    CHECK(r.run.end == End::timed_out);
    CHECK(std::chrono::steady_clock::now() - start < 10s);

    std::atomic<bool> stop{false};
    std::thread stopper([&] {
        std::this_thread::sleep_for(100ms);
        stop = true;
    });
    r = run("sleep 30", {}, facts(), limits({}, 1000, {}, [&] { return stop.load(); }));
    stopper.join();
    CHECK(r.run.end == End::stopped);
}

TEST_CASE("CommandPool runs one task at a time in order, or up to N at once") {
    std::mutex mutex;
    std::string order;
    {
        exec::CommandPool pool(1);
        for (char c : std::string("abcdefgh")) {
            pool.submit([&, c] {
                std::this_thread::sleep_for(1ms);
                std::lock_guard lock(mutex);
                order += c;
            });
        }
        pool.finish();
    }
    CHECK(order == "abcdefgh");

    std::atomic<int> running{0}, most{0}, done{0};
    exec::CommandPool pool(4);
    for (int i = 0; i < 16; ++i) {
        pool.submit([&] {
            const int now = ++running;
            int seen = most.load();
            while (now > seen && !most.compare_exchange_weak(seen, now)) {
            }
            std::this_thread::sleep_for(20ms);
            --running;
            ++done;
        });
        CHECK(running.load() <= 4);
    }
    pool.finish();
    CHECK(done == 16);
    CHECK(most == 4);
}

TEST_CASE("CommandPool keeps running after a task throws and reports the first") {
    exec::CommandPool pool(2);
    std::atomic<int> done{0};
    pool.submit([] { throw std::runtime_error("first"); });
    for (int i = 0; i < 4; ++i) pool.submit([&] { ++done; });
    pool.finish();
    CHECK(done == 4);
    CHECK(pool.failure() != nullptr);
}
