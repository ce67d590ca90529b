#include "publish/progress.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <string>

#include "publish/report.hpp"

namespace amr::publish {
namespace {

// Short inputs finish before the first drawing and never show the line.
constexpr auto first_draw = std::chrono::milliseconds(500);
constexpr auto redraw = std::chrono::milliseconds(250);

void write_stderr(const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
        if (n <= 0) return;  // a progress line is not worth failing for
        done += static_cast<size_t>(n);
    }
}

}  // namespace

Progress::Progress(bool enabled)
    : enabled_(enabled), start_(Clock::now()), next_draw_(start_ + first_draw) {}

Progress::~Progress() {
    clear();
}

bool Progress::wanted() {
    return isatty(STDERR_FILENO) && spdlog::default_logger()->should_log(spdlog::level::info);
}

double Progress::elapsed_seconds() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
}

void Progress::update(uint64_t sent, uint64_t confirmed, uint64_t skipped) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (now < next_draw_) return;
    next_draw_ = now + redraw;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    // "\033[K" erases what a longer earlier line left on the right.
    std::string line = "\r";
    line += progress_text(sent, confirmed, skipped, seconds);
    line += "\033[K";
    write_stderr(line);
    shown_ = true;
}

void Progress::clear() {
    if (!shown_) return;
    write_stderr("\r\033[K");
    shown_ = false;
}

}  // namespace amr::publish
