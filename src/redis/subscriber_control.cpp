// subscribe --interactive: commands read from the control stream change the
// subscriptions of the live connection.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "redis/link.hpp"
#include "redis/subscriber.hpp"

namespace amr::redis {

void Subscriber::read_control() {
    char buf[4096];
    const ssize_t n = ::read(control_fd_, buf, sizeof buf);
    if (n <= 0) {
        if (n < 0 && errno == EINTR) return;
        control_fd_ = -1;  // end of input: keep streaming, stop listening for commands
        return;
    }
    std::string_view input(buf, static_cast<size_t>(n));
    while (!input.empty()) {
        const size_t eol = input.find('\n');
        const std::string_view piece = input.substr(0, eol);
        if (!control_discarding_) {
            if (control_buffer_.size() + piece.size() > max_control_line) {
                // A person never types this much: a mistake (a file sent to the wrong
                // place, say), not a command to run in part.
                spdlog::error("--interactive: a line longer than {} KiB was discarded",
                              max_control_line / 1024);
                control_buffer_.clear();
                control_discarding_ = true;
            } else {
                control_buffer_.append(piece);
            }
        }
        if (eol == std::string_view::npos) return;
        input.remove_prefix(eol + 1);
        if (std::exchange(control_discarding_, false)) continue;
        const ControlCommand command = parse_control(control_buffer_);
        control_buffer_.clear();
        try {
            apply(command);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::connection) throw;
            lose(0, e);
        }
    }
}

void Subscriber::apply(const ControlCommand& c) {
    using Action = ControlCommand::Action;
    // --interactive is for subscribe and psubscribe: one connection to the host.
    if (c.action == Action::none) return;
    if (c.action == Action::invalid) {
        spdlog::error("{} ({})", c.error, control_help);
        return;
    }
    if (c.action == Action::help) {
        spdlog::info("{}", control_help);
        return;
    }
    Link* link = links_.empty() ? nullptr : links_.front().get();
    if (c.action == Action::list) {
        std::string channels, patterns;
        for (const auto& s : subscriptions_.desired()) {
            std::string& list = s.kind == SubscriptionKind::patterns ? patterns : channels;
            list += (list.empty() ? "'" : ", '") + s.name + "'";
        }
        spdlog::info("channels: {}; patterns: {}", channels.empty() ? "none" : channels,
                     patterns.empty() ? "none" : patterns);
        return;
    }
    const bool adding = c.action == Action::subscribe || c.action == Action::psubscribe;
    const bool patterns = c.action == Action::psubscribe || c.action == Action::punsubscribe;
    std::vector<Subscription> group;
    if (c.action == Action::unsubscribe_all) {
        subscriptions_.unwant_all();
        if (link) {
            send(*link, "UNSUBSCRIBE", {});
            send(*link, "PUNSUBSCRIBE", {});
        }
        return;
    }
    for (const auto& name : c.names) {
        Subscription s{patterns ? SubscriptionKind::patterns : SubscriptionKind::channels, name};
        // What changes: added when not wanted yet, removed when wanted.
        const bool changed = adding ? subscriptions_.want(s) : subscriptions_.unwant(s);
        if (changed) group.push_back(std::move(s));
    }
    if (group.empty()) return;
    if (link == nullptr) {
        if (adding) subscriptions_.make_homeless(std::move(group));
        return;
    }
    if (adding) {
        subscribe(*link, std::move(group));
    } else {
        send(*link, patterns ? "PUNSUBSCRIBE" : "UNSUBSCRIBE", group);
    }
}

}  // namespace amr::redis
