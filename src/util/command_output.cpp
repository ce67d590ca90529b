#include "util/command_output.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "util/signals.hpp"
#include "util/supervised_process.hpp"

namespace amr::util {
namespace {

using Clock = std::chrono::steady_clock;
using End = CommandOutput::End;

// In slices, to notice `stop` (signal handlers only set a flag).
constexpr int slice_ms = 50;

struct Pipe {
    int fd[2] = {-1, -1};
    ~Pipe() {
        for (int f : fd) {
            if (f >= 0) ::close(f);
        }
    }
    void close(int i) {
        if (fd[i] >= 0) ::close(fd[i]);
        fd[i] = -1;
    }
};

class Run {
  public:
    Run(const CommandLimits& limits, CommandOutput& result)
        : limits_(limits),
          result_(result),
          deadline_(limits.timeout ? Clock::now() + *limits.timeout : Clock::time_point::max()) {}

    // False when the command must be killed: result_.end says why.
    bool still_going() {
        if (limits_.stop && limits_.stop()) {
            result_.end = End::stopped;
        } else if (Clock::now() >= deadline_) {
            result_.end = End::timed_out;
        }
        return result_.end == End::exited;
    }

    int slice() const {
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
        return static_cast<int>(std::clamp<long long>(left, 0, slice_ms));
    }

    // Feeds stdin and drains stdout until stdout closes; false when it must be killed.
    bool exchange(Pipe& in, Pipe& out, std::string_view input) {
        size_t written = 0;
        if (input.empty()) in.close(1);
        while (out.fd[0] >= 0) {
            if (!still_going()) return false;
            pollfd p[2] = {{out.fd[0], POLLIN, 0}, {in.fd[1], POLLOUT, 0}};
            if (poll(p, 2, slice()) <= 0) continue;
            if (p[1].revents & (POLLERR | POLLHUP)) {
                in.close(1);  // it closed its stdin: the rest of the input is not wanted
            } else if (p[1].revents & POLLOUT) {
                const ssize_t n = ::write(in.fd[1], input.data() + written,
                                          std::min<size_t>(input.size() - written, 65536));
                if (n > 0) written += static_cast<size_t>(n);
                if ((n < 0 && errno != EINTR && errno != EAGAIN) || written == input.size()) {
                    in.close(1);
                }
            }
            if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[65536];
            const ssize_t n = ::read(out.fd[0], buf, sizeof buf);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n <= 0) {
                out.close(0);
            } else if (!take({buf, static_cast<size_t>(n)})) {
                result_.end = End::too_long;
                return false;
            }
        }
        return true;
    }

    // It may close stdout and go on running: it is still bound by the deadline and stop.
    bool wait_exit(pid_t pid, int& status) {
        for (int pause_ms = 0;; pause_ms = std::min(pause_ms + 1, 10)) {
            const pid_t done = waitpid(pid, &status, WNOHANG);
            if (done == pid) return true;
            if (done < 0 && errno != EINTR) {
                status = -1;
                return true;
            }
            if (!still_going()) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
        }
    }

  private:
    bool take(std::string_view piece) {
        if (spilling_) {
            limits_.overflow(piece);
            return true;
        }
        if (result_.out.size() + piece.size() <= limits_.max_output) {
            result_.out.append(piece);
            return true;
        }
        if (!limits_.overflow) return false;
        spilling_ = true;
        limits_.overflow(result_.out);
        result_.out.clear();
        limits_.overflow(piece);
        return true;
    }

    const CommandLimits& limits_;
    CommandOutput& result_;
    const Clock::time_point deadline_;
    bool spilling_ = false;
};

}  // namespace

CommandOutput run_shell(const std::string& command, std::string_view input, char* const* envp,
                        const CommandLimits& limits) {
    CommandOutput result;
    Pipe in, out;
    if (pipe2(in.fd, O_CLOEXEC) != 0 || pipe2(out.fd, O_CLOEXEC) != 0) return result;
    const pid_t pid = start_supervised(command.c_str(), in.fd[0], out.fd[1], envp);
    in.close(0);
    out.close(1);
    if (pid < 0) return result;
    fcntl(in.fd[1], F_SETFL, O_NONBLOCK);
    fcntl(out.fd[0], F_SETFL, O_NONBLOCK);

    result.end = End::exited;
    Run run(limits, result);
    int status = 0;
    if (!run.exchange(in, out, input) || !run.wait_exit(pid, status)) {
        kill_supervised(pid);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        return result;
    }
    if (status == -1) {
        result.status = -1;
    } else if (WIFSIGNALED(status)) {
        result.end = End::killed_by_signal;
        result.status = WTERMSIG(status);
    } else {
        result.status = WEXITSTATUS(status);
    }
    return result;
}

CommandOutput run_command(const std::string& command, std::chrono::milliseconds timeout,
                          size_t max_output) {
    return run_shell(
        command, {}, nullptr,
        {.timeout = timeout, .max_output = max_output, .overflow = {}, .stop = stop_requested});
}

std::string describe_end(const CommandOutput& r) {
    switch (r.end) {
        case End::exited:
            return "exit status " + std::to_string(r.status);
        case End::killed_by_signal: {
            const char* name = sigabbrev_np(r.status);
            return "killed by signal " + std::to_string(r.status) +
                   (name ? std::string(" (") + name + ")" : std::string());
        }
        case End::timed_out:
            return "timed out (killed)";
        case End::too_long:
            return "printed too much (killed)";
        case End::stopped:
            return "stopped (killed)";
        case End::cannot_run:
            break;
    }
    return "could not be started";
}

}  // namespace amr::util
