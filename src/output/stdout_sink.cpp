#include "output/stdout_sink.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "error.hpp"

namespace amr::output {

void write_stdout(std::string_view data, const std::atomic<bool>* abandon) {
    while (!data.empty()) {
        if (abandon != nullptr && abandon->load()) throw WriteAbandoned{};
        ssize_t n = ::write(STDOUT_FILENO, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EPIPE) throw StdoutClosed{};
            throw Error(ErrorKind::failure,
                        std::string("cannot write to stdout: ") + std::strerror(errno));
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
}

bool stdout_is_terminal() {
    return isatty(STDOUT_FILENO) == 1;
}

bool stdout_wants_colour() {
    const char* no_colour = std::getenv("NO_COLOR");
    return stdout_is_terminal() && (no_colour == nullptr || *no_colour == '\0');
}

}  // namespace amr::output
