#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "util/redact.hpp"

using amr::util::redact_arguments;

TEST_CASE("redact_arguments names values by position and keeps option names") {
    const std::vector<std::string> args = {"--passwrd", "hunter2", "ping"};
    CHECK(redact_arguments("The following arguments were not expected: hunter2 --passwrd", args) ==
          "The following arguments were not expected: <argument 2> --passwrd");
}

TEST_CASE("redact_arguments hides the values of --name=value and -xVALUE") {
    CHECK(redact_arguments("--port: Value s3cret not in range", {"--port=s3cret"}) ==
          "--port: Value <argument 1> not in range");
    CHECK(redact_arguments("--port: Value s3cret not in range", {"-ps3cret"}) ==
          "--port: Value <argument 1> not in range");
}

TEST_CASE("redact_arguments replaces whole words only") {
    // The value "1" must not eat the digits of 65535, nor "port" the name --port.
    CHECK(redact_arguments("--port: Value 0 not in [1 - 65535]", {"-p", "1", "port", "-"}) ==
          "--port: Value 0 not in [<argument 2> - 65535]");
}

TEST_CASE("redact_arguments treats long option-like arguments as values and bounds the text") {
    const std::string huge = "--" + std::string(100, 'a');
    CHECK(redact_arguments("not expected: " + huge, {huge}) == "not expected: <argument 1>");
    const std::string text = redact_arguments(std::string(5000, 'x'), {});
    CHECK(text.size() < 2100);
}
