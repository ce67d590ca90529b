#include "util/signals.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace amr::util {
namespace {

int pipe_fds[2] = {-1, -1};
volatile sig_atomic_t stopped = 0;

void on_signal(int) {
    int saved = errno;
    stopped = 1;
    char byte = 1;
    [[maybe_unused]] ssize_t n = write(pipe_fds[1], &byte, 1);
    errno = saved;
}

}  // namespace

int stop_signal_fd() {
    if (pipe_fds[0] >= 0) return pipe_fds[0];
    if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    return pipe_fds[0];
}

bool stop_requested() {
    return stopped != 0;
}

void request_stop() {
    stop_signal_fd();
    on_signal(0);
}

}  // namespace amr::util
