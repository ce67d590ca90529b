#include <doctest/doctest.h>

#include <string>

#include "commands/stream_options.hpp"
#include "error.hpp"

using amr::commands::check_stream_flags;
using amr::commands::MessageOptions;
using amr::commands::StreamFlags;

namespace {

// The usage Error's text, or "" when the flags are accepted.
std::string problem(const StreamFlags& flags, const MessageOptions& message = {}) {
    try {
        check_stream_flags(flags, message);
        return "";
    } catch (const amr::Error& e) {
        CHECK(e.kind() == amr::ErrorKind::usage);
        return e.what();
    }
}

StreamFlags lines() {
    StreamFlags f;
    f.lines = true;
    return f;
}

}  // namespace

TEST_CASE("check_stream_flags: --file implies --lines") {
    StreamFlags f;
    f.file = "events.jsonl";
    CHECK(f.streaming());
    CHECK(problem(f) == "");
}

TEST_CASE("check_stream_flags: stream options need --lines or --file") {
    StreamFlags f;
    CHECK(problem(f) == "");
    f.skip_invalid = true;
    CHECK(problem(f) == "--skip-invalid applies to --lines and --file only");
    f = {};
    f.window = 10;
    CHECK(problem(f) == "--window applies to --lines and --file only");
    f = {};
    f.retry = true;
    CHECK(problem(f) == "--retry applies to --lines and --file only");
    f = {};
    f.reconnect_max = 3;
    CHECK(problem(f) == "--reconnect-max applies to --lines and --file only");
}

TEST_CASE("check_stream_flags: --lines takes no MESSAGE and builds none") {
    MessageOptions m;
    m.message = "{}";
    CHECK(problem(lines(), m).find("not both") != std::string::npos);
    m = {};
    m.spec.preset = "order_created";
    CHECK(problem(lines(), m).find("--preset") != std::string::npos);
    m = {};
    m.spec.fields = {"a=b"};
    CHECK(problem(lines(), m).find("-f") != std::string::npos);
}

TEST_CASE("check_stream_flags: --skip-invalid does not go with --raw") {
    StreamFlags f = lines();
    f.skip_invalid = true;
    MessageOptions m;
    CHECK(problem(f, m) == "");
    m.raw = true;
    CHECK(problem(f, m).find("--raw") != std::string::npos);
}

TEST_CASE("check_stream_flags: --reconnect-max needs --retry and at least 1") {
    StreamFlags f = lines();
    f.reconnect_max = 2;
    CHECK(problem(f) == "--reconnect-max needs --retry");
    f.retry = true;
    CHECK(problem(f) == "");
    f.reconnect_max = 0;
    CHECK(problem(f) == "--reconnect-max must be at least 1");
}
