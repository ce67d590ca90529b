// amr reply CHANNEL... (--echo | --exec CMD): a responder for amr request. Each request
// is a JSON object naming its reply channel in a field (reply_to); the answer (the
// request itself, or what CMD prints) is published there. Requests without a usable
// reply channel, and commands that fail, are reported on stderr and get no reply.
#include <spdlog/spdlog.h>

#include <limits>

#include "commands/command.hpp"
#include "error.hpp"
#include "exec/message_command.hpp"
#include "message/reply_to.hpp"
#include "redis/subscriber.hpp"
#include "util/duration.hpp"
#include "util/limits.hpp"
#include "util/signals.hpp"
#include "util/whole_number.hpp"

namespace amr::commands {
namespace {

struct ReplyOptions {
    std::vector<std::string> names;
    bool pattern = false;
    bool echo = false;
    std::optional<std::string> exec;
    std::string reply_field{message::default_reply_field};
    std::optional<long long> count;
    std::string ping_interval = "60s";
};

// The connection replies go out on (a subscribed RESP2 connection cannot PUBLISH). Opened
// at the first reply; after a silence it is PINGed first; opened again when it fails or
// when the token it signed in with has been replaced.
class ReplyPublisher {
  public:
    ReplyPublisher(const config::Settings& settings, std::chrono::milliseconds idle)
        : settings_(settings), idle_(idle) {}

    // What became of one reply: how many received it, or why it was not sent.
    struct Outcome {
        std::optional<long long> receivers;
        std::string error;
    };

    // What concerns this reply alone is returned: the server refused the PUBLISH (an ACL
    // may forbid the channel a request names), or the connection failed twice. A
    // connection found broken (the server closed it, a failover) is opened again and the
    // PUBLISH sent once more: a server that closed it did not take the command (one that
    // took it but answered later than --connect-timeout gets it twice). Refused
    // credentials end amr (thrown).
    Outcome publish(const std::string& channel, std::string_view text) {
        Outcome outcome;
        for (int attempt = 0; attempt < 2; ++attempt) {
            try {
                ensure_open();
                auto reply = connection_->command({"PUBLISH", channel, text});
                used_ = redis::Clock::now();
                return {redis::count_of(reply.get(), "PUBLISH", connection_->endpoint()), {}};
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::connection) {
                    if (connection_) return {std::nullopt, e.what()};  // PUBLISH refused
                    throw;                                             // could not sign in
                }
                connection_.reset();
                outcome.error = e.what();
                spdlog::debug("the reply connection failed ({}): connecting again", e.what());
            }
        }
        return outcome;
    }

  private:
    void ensure_open() {
        if (connection_ && settings_.token && settings_.token->token() != token_) {
            spdlog::debug("the token was renewed: connecting again to publish replies");
            connection_.reset();
        }
        if (connection_ && redis::Clock::now() - used_ >= idle_) {
            try {
                connection_->command({"PING"});
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::connection) throw;
                spdlog::debug("the reply connection was lost ({}): connecting again", e.what());
                connection_.reset();
            }
        }
        if (!connection_) {
            connection_ =
                redis::Connection::open(settings_, redis::Connection::Protocol::resp2, false);
            if (settings_.token) token_ = settings_.token->token();
        }
    }

    const config::Settings& settings_;
    std::chrono::milliseconds idle_;
    std::optional<redis::Connection> connection_;
    std::string token_;
    redis::Clock::time_point used_{};
};

class Responder : public redis::MessageSink {
  public:
    Responder(const ReplyOptions& o, ReplyPublisher& publisher) : o_(o), publisher_(publisher) {}

    bool on_message(const redis::PubSubEvent& e) override {
        ++requests_;
        handle(e);
        return !o_.count || requests_ < *o_.count;
    }

    void on_idle() override {}

    void summarise() const {
        spdlog::info("{} request(s): {} answered, {} skipped, {} failed", requests_, answered_,
                     skipped_, failed_);
    }

  private:
    void handle(const redis::PubSubEvent& e) {
        const auto address = message::find_reply_address(e.payload, o_.reply_field);
        if (!address.channel) {
            ++skipped_;
            spdlog::warn("request on '{}' skipped: {}", e.channel, address.problem);
            return;
        }
        const std::optional<std::string> answer = answer_to(e);
        if (!answer) {
            ++failed_;
            return;
        }
        const auto sent = publisher_.publish(*address.channel, *answer);
        if (!sent.receivers) {
            ++failed_;
            spdlog::error("reply to the request on '{}' not sent: {}", e.channel, sent.error);
            return;
        }
        ++answered_;
        if (*sent.receivers == 0) {
            spdlog::warn("reply to the request on '{}': no one is listening on '{}'", e.channel,
                         *address.channel);
        }
    }

    std::optional<std::string> answer_to(const redis::PubSubEvent& e) {
        if (o_.echo) return std::string(e.payload);
        const bool pattern = e.kind == redis::PubSubEvent::Kind::pmessage;
        if (!environment_.build({.type = pattern ? "pmessage" : "message",
                                 .channel = e.channel,
                                 .pattern = e.pattern,
                                 .received_at = std::chrono::system_clock::now()})) {
            spdlog::error("--exec not run for the request on '{}': {}", e.channel,
                          environment_.error());
            return std::nullopt;
        }
        util::CommandLimits limits;
        limits.max_output = util::max_message_bytes;
        limits.stop = [] { return util::stop_requested(); };
        auto result = exec::run_message_command(*o_.exec, e.payload, environment_, limits);
        if (!result.ok()) {
            spdlog::error("--exec failed for the request on '{}' ({}): no reply sent", e.channel,
                          result.describe());
            return std::nullopt;
        }
        // As publish reads stdin: one trailing newline is the end of the output, not data.
        std::string& out = result.run.out;
        if (out.ends_with("\r\n")) {
            out.resize(out.size() - 2);
        } else if (out.ends_with('\n')) {
            out.pop_back();
        }
        return std::move(out);
    }

    const ReplyOptions& o_;
    ReplyPublisher& publisher_;
    exec::MessageEnvironment environment_;
    long long requests_ = 0, answered_ = 0, skipped_ = 0, failed_ = 0;
};

int run_reply(const ReplyOptions& o, const GlobalOptions& globals) {
    if (o.echo == o.exec.has_value()) {
        throw usage_error("reply needs one of --echo and --exec CMD",
                          "e.g. amr reply prices --exec './price.sh'");
    }
    if (o.reply_field.empty()) throw usage_error("--reply-field must not be empty");
    redis::SubscriberOptions options;
    options.kind =
        o.pattern ? redis::SubscriptionKind::patterns : redis::SubscriptionKind::channels;
    options.names = o.names;
    options.ping_interval = util::parse_duration(o.ping_interval, "--ping-interval");
    auto settings = config::load_settings(globals.connection);
    ReplyPublisher publisher(settings, options.ping_interval);
    Responder responder(o, publisher);
    redis::Subscriber subscriber(settings, options);
    subscriber.run(std::nullopt, responder);
    responder.summarise();
    return 0;
}

}  // namespace

CommandSpec reply_command() {
    return {"reply", "Answer requests: publish each one's answer to its reply channel",
            [](CLI::App& sub, const GlobalOptions& globals) -> Action {
                auto o = std::make_shared<ReplyOptions>();
                sub.add_option("channel", o->names,
                               "Channels the requests come on (patterns with "
                               "--pattern)")
                    ->required()
                    ->type_name("CHANNEL");
                sub.add_flag("--pattern", o->pattern,
                             "The channels are glob-style patterns (PSUBSCRIBE), e.g. 'svc:*'");
                sub.add_flag("--echo", o->echo, "Reply with the request itself");
                sub.add_option(
                       "--exec", o->exec,
                       "Run CMD through /bin/sh for each request (the request on its stdin, "
                       "AMR_CHANNEL, AMR_PATTERN, AMR_TYPE, AMR_RECEIVED_AT in its "
                       "environment) and reply with its stdout, less one trailing newline; "
                       "a command that fails is reported and gets no reply")
                    ->type_name("CMD");
                sub.add_option("--reply-field", o->reply_field,
                               "The field of a request that names its reply channel (default "
                               "reply_to)")
                    ->type_name("NAME");
                sub.add_option("--count", o->count,
                               "Exit 0 after N requests (answered, skipped or failed)")
                    ->check(util::whole_number(1, std::numeric_limits<long long>::max()))
                    ->type_name("N");
                sub.add_option("--ping-interval", o->ping_interval,
                               "PING after this much silence to detect dead connections "
                               "(default 60s)")
                    ->type_name("DURATION");
                sub.footer(
                    "A request is a JSON object whose reply_to field names the channel to answer "
                    "on\n(amr request adds it). One without it is reported on stderr and skipped.\n"
                    "Examples:\n"
                    "  amr reply health --echo\n"
                    "  amr reply prices --exec 'jq -c \"{sku, price: 9.5}\"'\n"
                    "  amr reply --pattern 'svc:*' --echo --count 1");
                return [o, &globals] { return run_reply(*o, globals); };
            }};
}

}  // namespace amr::commands
