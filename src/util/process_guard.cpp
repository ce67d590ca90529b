#include "util/process_guard.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace amr::util {
namespace {

bool open_standard_descriptors() {
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        // The lowest free descriptor is `fd`: the ones below it are open by now.
        const int null = ::open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
        if (null < 0) return false;
        if (null != fd) {
            if (dup2(null, fd) < 0) return false;
            ::close(null);
        }
    }
    return true;
}

bool core_dumps_wanted() {
    const char* v = std::getenv("AMR_CORE_DUMPS");
    return v != nullptr && std::strcmp(v, "1") == 0;
}

}  // namespace

bool guard_process() {
    if (!open_standard_descriptors()) return false;
    // An ignored SIGCHLD, inherited from whoever started amr, would make the kernel reap
    // the token command before amr could learn how it ended.
    signal(SIGCHLD, SIG_DFL);
    if (!core_dumps_wanted()) {
        rlimit core{};
        getrlimit(RLIMIT_CORE, &core);
        core.rlim_cur = 0;  // the hard limit stays: AMR_CORE_DUMPS=1 can still have them
        setrlimit(RLIMIT_CORE, &core);
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    return true;
}

}  // namespace amr::util
