#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

int main(int argc, char** argv) {
    // Unbuffered: the child that runs a token command (util/command_output.cpp) must not
    // inherit doctest's pending output. Its _exit() writes none of it, but
    // ThreadSanitizer's _exit() flushes stdout, into the command's pipe.
    std::setvbuf(stdout, nullptr, _IONBF, 0);
    return doctest::Context(argc, argv).run();
}
