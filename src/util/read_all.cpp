#include "util/read_all.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "error.hpp"

namespace amr::util {

std::string size_text(size_t bytes) {
    if (bytes >= (size_t{1} << 20) && bytes % (size_t{1} << 20) == 0) {
        return std::to_string(bytes >> 20) + " MiB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " bytes";
}

std::string read_all(int fd, const std::string& name, size_t limit,
                     std::optional<std::chrono::steady_clock::time_point> deadline) {
    std::string text;
    char buf[64 * 1024];
    for (;;) {
        if (deadline) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                *deadline - std::chrono::steady_clock::now());
            pollfd p{fd, POLLIN, 0};
            const int ready =
                poll(&p, 1, static_cast<int>(std::clamp<long long>(left.count(), 0, 1 << 30)));
            if (ready < 0 && errno == EINTR) continue;
            if (ready == 0) {
                throw usage_error("cannot read " + name +
                                  ": nothing came in time (is a pipe or FIFO without a writer?)");
            }
        }
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            throw Error(ErrorKind::failure, "cannot read " + name + ": " + std::strerror(errno));
        }
        if (n == 0) return text;
        if (text.size() + static_cast<size_t>(n) > limit) {
            throw usage_error(name + " is larger than " + size_text(limit));
        }
        text.append(buf, static_cast<size_t>(n));
    }
}

}  // namespace amr::util
