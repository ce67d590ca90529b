#include "util/command_output.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "util/signals.hpp"

namespace amr::util {
namespace {

using Clock = std::chrono::steady_clock;

// Everything between fork and exec is async-signal-safe: amr has other threads.

void close_from(int first) {
    if (syscall(SYS_close_range, first, ~0U, 0) == 0) return;
    for (int fd = first; fd < 65536; ++fd) ::close(fd);
}

void set_handler(int sig, void (*handler)(int)) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, nullptr);
}

// The supervisor's SIGTERM, sent by the kernel when amr dies (PR_SET_PDEATHSIG).
void kill_own_group(int) {
    kill(0, SIGKILL);
}

// The child of amr: the leader of a process group holding the command and everything it
// starts. It outlives neither amr nor the command. A shell's PR_SET_PDEATHSIG alone
// would leave the shell's own children (az's python) running after amr was killed.
[[noreturn]] void supervise(const char* command, int out_fd, pid_t amr) {
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    set_handler(SIGTERM, kill_own_group);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != amr) kill_own_group(0);  // amr died before the line above
    const int null = ::open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0) _exit(127);
    close_from(STDERR_FILENO + 1);  // no socket, pipe or file of amr's

    const pid_t child = fork();
    if (child < 0) _exit(127);
    if (child == 0) {
        set_handler(SIGTERM, SIG_DFL);
        set_handler(SIGPIPE, SIG_DFL);  // amr ignores it; the command expects the default
        execl("/bin/sh", "sh", "-c", command, static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) _exit(127);
    }
    if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
    // Killed: die of the same signal, so amr can tell.
    const int sig = WTERMSIG(status);
    set_handler(sig, SIG_DFL);
    kill(getpid(), sig);
    _exit(128 + sig);
}

void kill_group(pid_t pid) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);  // in case it had not made its group yet
}

}  // namespace

CommandOutput run_command(const std::string& command, std::chrono::milliseconds timeout,
                          size_t max_output) {
    CommandOutput result;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return result;
    const pid_t amr = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return result;
    }
    if (pid == 0) supervise(command.c_str(), fds[1], amr);
    setpgid(pid, pid);  // as the child does: whichever runs first
    ::close(fds[1]);

    const auto deadline = Clock::now() + timeout;
    result.end = CommandOutput::End::exited;
    for (bool open = true; open;) {
        if (stop_requested()) {
            result.end = CommandOutput::End::stopped;
            break;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            result.end = CommandOutput::End::timed_out;
            break;
        }
        // In slices, to notice SIGINT and SIGTERM (their handlers only set a flag).
        pollfd p{fds[0], POLLIN, 0};
        const int ready = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 100)));
        if (ready <= 0) continue;
        char buf[4096];
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            open = false;
        } else if (result.out.size() + static_cast<size_t>(n) > max_output) {
            result.end = CommandOutput::End::too_long;
        } else {
            result.out.append(buf, static_cast<size_t>(n));
            continue;
        }
        if (result.end != CommandOutput::End::exited) break;
    }
    ::close(fds[0]);

    int status = 0;
    // It may close stdout and go on running: it still has until the deadline to exit.
    while (result.end == CommandOutput::End::exited) {
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) {
            status = -1;
            break;
        }
        if (stop_requested()) result.end = CommandOutput::End::stopped;
        if (Clock::now() >= deadline) result.end = CommandOutput::End::timed_out;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (result.end != CommandOutput::End::exited) {
        kill_group(pid);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        return result;
    }
    if (status == -1) {
        result.status = -1;
    } else if (WIFSIGNALED(status)) {
        result.end = CommandOutput::End::killed_by_signal;
        result.status = WTERMSIG(status);
    } else {
        result.status = WEXITSTATUS(status);
    }
    return result;
}

}  // namespace amr::util
