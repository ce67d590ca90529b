#include "util/supervised_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

extern char** environ;

namespace amr::util {
namespace {

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

// The child of amr: the leader of a process group holding the command and everything it
// starts. It outlives neither amr nor the command. A shell's PR_SET_PDEATHSIG alone
// would leave the shell's own children (az's python) running after amr was killed.
// SIGTERM (sent by the kernel when amr dies: PR_SET_PDEATHSIG) and SIGCHLD are blocked
// and taken with sigwaitinfo(), not by a handler: ThreadSanitizer defers handlers of a
// forked child until a point that a supervisor waiting in waitpid() never reached, so
// the group outlived a killed amr there.
[[noreturn]] void supervise(const char* command, int in_fd, int out_fd, char* const* envp,
                            pid_t amr) {
    setpgid(0, 0);
    sigset_t waited;
    sigemptyset(&waited);
    sigaddset(&waited, SIGTERM);
    sigaddset(&waited, SIGCHLD);  // blocked, so kept pending even with SIG_DFL
    sigprocmask(SIG_SETMASK, &waited, nullptr);
    set_handler(SIGTERM, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != amr) kill(0, SIGKILL);  // amr died before the line above
    // Moved above the standard descriptors first, so neither dup2 overwrites the other.
    const int in = fcntl(in_fd, F_DUPFD, STDERR_FILENO + 1);
    const int out = fcntl(out_fd, F_DUPFD, STDERR_FILENO + 1);
    if (in < 0 || out < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0) {
        _exit(127);
    }
    close_from(STDERR_FILENO + 1);  // no socket, pipe or file of amr's

    const pid_t child = fork();
    if (child < 0) _exit(127);
    if (child == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        set_handler(SIGPIPE, SIG_DFL);  // amr ignores it; the command expects the default
        char* const argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                              const_cast<char*>(command), nullptr};
        execve("/bin/sh", argv, envp != nullptr ? envp : environ);
        _exit(127);
    }
    int status = 0;
    for (;;) {
        const pid_t ended = waitpid(child, &status, WNOHANG);
        if (ended == child) break;
        if (ended < 0 && errno != EINTR) _exit(127);
        if (sigwaitinfo(&waited, nullptr) == SIGTERM) kill(0, SIGKILL);  // amr is gone
    }
    if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
    // Killed: die of the same signal, so amr can tell.
    const int sig = WTERMSIG(status);
    set_handler(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    kill(getpid(), sig);
    _exit(128 + sig);
}

}  // namespace

pid_t start_supervised(const char* command, int stdin_fd, int stdout_fd, char* const* envp) {
    const pid_t amr = getpid();
    const pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) supervise(command, stdin_fd, stdout_fd, envp, amr);
    setpgid(pid, pid);  // as the child does: whichever runs first
    return pid;
}

void kill_supervised(pid_t pid) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);  // in case it had not made its group yet
}

}  // namespace amr::util
