#include "util/signals.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>

namespace amr::util {
namespace {

int pipe_fds[2] = {-1, -1};
// Written by the handler and by the stdout writer thread, read by the socket reader.
std::atomic<bool> stopped{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

void on_signal(int) {
    int saved = errno;
    stopped.store(true);
    char byte = 1;
    [[maybe_unused]] ssize_t n = write(pipe_fds[1], &byte, 1);
    errno = saved;
}

void on_interrupt(int) {}

int interrupt_signal() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_handler = on_interrupt;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;  // no SA_RESTART: the interrupted call returns EINTR
        sigaction(SIGRTMIN, &sa, nullptr);
    });
    return SIGRTMIN;
}

}  // namespace

int stop_signal_fd() {
    // Once, whichever thread comes first: the stdout writer may (request_stop) while
    // the reader does.
    static std::once_flag once;
    std::call_once(once, [] {
        if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) return;
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, nullptr);
        sigaction(SIGTERM, &sa, nullptr);
    });
    return pipe_fds[0];
}

bool stop_requested() {
    return stopped.load();
}

void request_stop() {
    stop_signal_fd();
    on_signal(0);
}

void interrupt_thread(pthread_t thread) {
    pthread_kill(thread, interrupt_signal());
}

}  // namespace amr::util
