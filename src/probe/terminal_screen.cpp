#include "probe/terminal_screen.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

namespace amr::probe {
namespace {

void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the terminal is gone: nothing more to draw
        data.remove_prefix(static_cast<size_t>(n));
    }
}

winsize size_of(int fd) {
    winsize ws{};
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0) {
        ws.ws_col = 80;
        ws.ws_row = 24;
    }
    return ws;
}

}  // namespace

TerminalScreen::TerminalScreen(int out, int keys) : out_(out), keys_(keys) {
    if (keys_ >= 0 && tcgetattr(keys_, &saved_) == 0) {
        termios raw = saved_;
        raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        raw.c_cc[VQUIT] = _POSIX_VDISABLE;
        raw.c_cc[VSUSP] = _POSIX_VDISABLE;
        restore_ = tcsetattr(keys_, TCSANOW, &raw) == 0;
    } else {
        keys_ = -1;
    }
    write_all(out_, "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J");
}

TerminalScreen::~TerminalScreen() {
    write_all(out_, "\x1b[?25h\x1b[?1049l");
    if (restore_) tcsetattr(keys_, TCSANOW, &saved_);
}

void TerminalScreen::draw(std::string_view frame) const {
    write_all(out_, frame);
}

int TerminalScreen::width() const {
    return size_of(out_).ws_col;
}

int TerminalScreen::height() const {
    return size_of(out_).ws_row;
}

bool TerminalScreen::quit_pressed() const {
    if (keys_ < 0) return false;
    char buf[64];
    bool quit = false;
    for (;;) {
        const ssize_t n = ::read(keys_, buf, sizeof buf);
        if (n <= 0) return quit;
        for (ssize_t i = 0; i < n; ++i) quit = quit || buf[i] == 'q' || buf[i] == 'Q';
    }
}

}  // namespace amr::probe
