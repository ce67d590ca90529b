// amr top [PATTERN...]: traffic per channel. Pattern-subscribes through redis::Subscriber
// (its MessageSink, on a thread of its own) and, every --interval, shows each channel's
// messages/s, bytes/s and total, highest rate first: a full-screen table on a terminal,
// one JSON object per interval otherwise.
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include "commands/command.hpp"
#include "output/stdout_sink.hpp"
#include "probe/channel_rates.hpp"
#include "probe/terminal_screen.hpp"
#include "probe/top_output.hpp"
#include "redis/subscriber.hpp"
#include "util/duration.hpp"
#include "util/signals.hpp"
#include "util/whole_number.hpp"

namespace amr::commands {
namespace {

using Clock = std::chrono::steady_clock;

struct TopOptions {
    std::vector<std::string> patterns;
    std::string interval = "1s";
    std::optional<long long> count;
    std::optional<size_t> limit;
    std::string output = "auto";
};

// Counts on the subscriber's thread; the display thread takes them each interval.
class RatesSink : public redis::MessageSink {
  public:
    bool on_message(const redis::PubSubEvent& e) override {
        std::lock_guard lock(mutex_);
        rates_.add(e.channel, e.payload.size());
        return true;
    }
    void on_idle() override {}
    bool on_subscribed() override {
        subscribed_ = true;
        return true;
    }
    bool subscribed() const { return subscribed_; }
    std::vector<probe::ChannelRow> take(double seconds) {
        std::lock_guard lock(mutex_);
        return rates_.take(seconds);
    }

  private:
    std::mutex mutex_;
    probe::ChannelRates rates_;
    std::atomic<bool> subscribed_{false};
};

// The subscriber's thread: stopped (util::request_stop) and joined however the display
// loop ends; its failure is rethrown on the display thread.
class Receiver {
  public:
    Receiver(const config::Settings& settings, redis::SubscriberOptions options, RatesSink& sink)
        : thread_([this, settings, options = std::move(options), &sink] {
              try {
                  redis::Subscriber subscriber(settings, options);
                  subscriber.run(std::nullopt, sink);
              } catch (...) {
                  failure_ = std::current_exception();
              }
              done_ = true;
              util::request_stop();  // wakes the display loop
          }) {}
    ~Receiver() {
        util::request_stop();
        thread_.join();
    }
    void rethrow() {
        if (done_ && failure_) std::rethrow_exception(failure_);
    }

  private:
    std::exception_ptr failure_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

std::string title_of(const std::vector<std::string>& patterns, const TopOptions& o) {
    std::string title = "amr top";
    for (const auto& p : patterns) title += " '" + p + "'";
    return title + ", every " + o.interval + " (q quits)";
}

// Waits until `until`, a stop (signal, q, the receiver's end) coming first: false then.
bool wait_interval(Clock::time_point until, const probe::TerminalScreen* screen) {
    for (;;) {
        if (util::stop_requested()) return false;
        if (screen && screen->quit_pressed()) return false;
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
        if (left.count() <= 0) return true;
        pollfd fds[2] = {{util::stop_signal_fd(), POLLIN, 0},
                         {screen ? screen->keys_fd() : -1, POLLIN, 0}};
        ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
    }
}

int run_top(const TopOptions& o, const GlobalOptions& globals) {
    const auto interval = util::parse_duration(o.interval, "--interval");
    const bool table = o.output == "auto" && output::stdout_is_terminal();
    redis::SubscriberOptions options;
    options.kind = redis::SubscriptionKind::patterns;
    options.names = o.patterns.empty() ? std::vector<std::string>{"*"} : o.patterns;
    const auto settings = config::load_settings(globals.connection);
    util::stop_signal_fd();  // SIGINT and SIGTERM end the loop, not amr

    RatesSink sink;
    Receiver receiver(settings, options, sink);
    // Destroyed before the receiver is joined: the terminal comes back at once.
    std::optional<probe::TerminalScreen> screen;
    if (table) screen.emplace(STDOUT_FILENO, isatty(STDIN_FILENO) ? STDIN_FILENO : -1);
    const probe::TerminalScreen* keys = screen ? &*screen : nullptr;
    // The first interval starts once the patterns are subscribed.
    while (!sink.subscribed() &&
           wait_interval(Clock::now() + std::chrono::milliseconds(10), keys)) {
    }
    const std::string title = title_of(options.names, o);
    if (screen) screen->draw(probe::top_table({}, {title, screen->width(), screen->height()}, 0));
    Clock::time_point start = Clock::now();
    for (long long shown = 0; !o.count || shown < *o.count; ++shown) {
        if (!sink.subscribed() || !wait_interval(start + interval, keys)) break;
        const Clock::time_point now = Clock::now();
        const double seconds = std::chrono::duration<double>(now - start).count();
        start = now;
        const auto rows = sink.take(seconds);
        if (screen) {
            screen->draw(probe::top_table(rows, {title, screen->width(), screen->height()},
                                          o.limit.value_or(0)));
        } else {
            output::write_stdout(probe::top_json_line(rows, seconds, o.limit.value_or(0)));
        }
    }
    receiver.rethrow();
    return 0;
}

}  // namespace

CommandSpec top_command() {
    return {"top", "Show the traffic per channel: messages/s, bytes/s and totals, refreshed",
            [](CLI::App& sub, const GlobalOptions& globals) -> Action {
                auto o = std::make_shared<TopOptions>();
                sub.add_option("pattern", o->patterns,
                               "Glob-style patterns of the channels to watch (default '*': "
                               "every channel; see the man page for what that costs the server)")
                    ->type_name("PATTERN");
                sub.add_option("--interval", o->interval,
                               "Refresh every DURATION (default 1s; 500ms, 5s, 1m)")
                    ->type_name("DURATION");
                sub.add_option("--count", o->count, "Exit 0 after N intervals")
                    ->check(util::whole_number(1, std::numeric_limits<long long>::max()))
                    ->type_name("N");
                sub.add_option("--limit", o->limit,
                               "Show at most N channels, the busiest (default: what fits the "
                               "terminal; every tracked channel in JSON)")
                    ->check(util::whole_number(1, 1000000))
                    ->type_name("N");
                sub.add_option("-o,--output", o->output,
                               "auto (a table on a terminal, JSON lines otherwise) or json (JSON "
                               "lines on a terminal too)")
                    ->check(CLI::IsMember({"auto", "json"}))
                    ->type_name("MODE");
                sub.footer(
                    "At most 10000 channels are tracked by name; messages to further channels "
                    "count under \"(other channels)\".\n\n"
                    "Examples:\n"
                    "  amr top\n"
                    "  amr top 'orders:*' --interval 5s\n"
                    "  amr top --count 10 | jq -c '.channels[:3]'");
                return [o, &globals] { return run_top(*o, globals); };
            }};
}

}  // namespace amr::commands
