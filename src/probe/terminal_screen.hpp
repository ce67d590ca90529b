// amr top's full-screen mode: the alternate screen with the cursor hidden, and the
// keyboard read a key at a time without echo. The destructor puts the terminal back as
// it was, so every way out of the scope restores it: q, SIGINT and SIGTERM (which end
// the loop through util::stop_signal_fd), errors (unwinding). Ctrl-\ and Ctrl-Z are off
// while it lasts (SIGQUIT would end amr, SIGTSTP stop it, with the terminal still raw).
#pragma once

#include <termios.h>

#include <string_view>

namespace amr::probe {

class TerminalScreen {
  public:
    // `out`: the terminal drawn on; `keys`: the terminal read (-1: no keyboard).
    TerminalScreen(int out, int keys);
    ~TerminalScreen();
    TerminalScreen(const TerminalScreen&) = delete;
    TerminalScreen& operator=(const TerminalScreen&) = delete;

    void draw(std::string_view frame) const;
    // The terminal's size; 80x24 when it does not say.
    int width() const;
    int height() const;
    int keys_fd() const { return keys_; }
    // Reads the keys waiting; true when one of them is q or Q.
    bool quit_pressed() const;

  private:
    int out_;
    int keys_;
    termios saved_{};
    bool restore_ = false;
};

}  // namespace amr::probe
