// amr request CHANNEL [MESSAGE]: publish a JSON object that carries a reply channel
// (reply_to), and print what comes back on it. The reply channel is subscribed, and the
// subscription confirmed, before the request goes out, so no reply can be missed.
#include <spdlog/spdlog.h>

#include <limits>
#include <random>

#include "commands/command.hpp"
#include "commands/format_options.hpp"
#include "commands/message_options.hpp"
#include "error.hpp"
#include "message/placeholders.hpp"
#include "message/reply_to.hpp"
#include "output/stdout_sink.hpp"
#include "publish/stream.hpp"
#include "redis/cluster_view.hpp"
#include "redis/subscriber.hpp"
#include "util/duration.hpp"
#include "util/whole_number.hpp"

namespace amr::commands {
namespace {

struct RequestOptions {
    std::string channel;
    MessageOptions message;
    FormatFlags format;
    std::string reply_field{message::default_reply_field};
    std::optional<std::string> reply_to;
    long long replies = 1;
    std::string timeout = "5s";
};

std::string new_reply_channel() {
    std::random_device device;
    std::mt19937_64 random((static_cast<uint64_t>(device()) << 32) | device());
    return std::string(message::reply_channel_prefix) + message::uuid_v4(random);
}

// Publishes the request once the reply channel is subscribed, then prints the replies.
class ReplySink : public redis::MessageSink {
  public:
    ReplySink(redis::Connection& publisher, const RequestOptions& o, std::string request,
              output::Formatter& formatter)
        : publisher_(publisher), o_(o), request_(std::move(request)), formatter_(formatter) {}

    bool on_subscribed() override {
        auto reply = publisher_.command({"PUBLISH", o_.channel, request_});
        receivers_ = redis::count_of(reply.get(), "PUBLISH", publisher_.endpoint());
        spdlog::debug("request published to '{}': {} receiver(s)", o_.channel, receivers_);
        if (receivers_ > 0) return true;
        // A cluster's PUBLISH counts only the subscribers of the node it reached, though
        // it delivers to every node: there, none counted is no reason to stop waiting.
        redis::ClusterView cluster(publisher_.settings());
        cluster.discover(publisher_, redis::ClusterMode::detect);
        in_cluster_ = cluster.is_cluster();
        if (in_cluster_) {
            spdlog::info(
                "PUBLISH counted no receiver on {}; in a cluster those on other nodes "
                "are not counted: waiting for replies",
                publisher_.endpoint());
        }
        return in_cluster_;
    }

    bool on_message(const redis::PubSubEvent& e) override {
        std::string out;
        formatter_.append({.is_pattern = false,
                           .pattern = {},
                           .channel = e.channel,
                           .payload = e.payload,
                           .received_at = std::chrono::system_clock::now(),
                           .is_sharded = false},
                          out);
        output::write_stdout(out);
        return ++received_ < o_.replies;
    }

    void on_idle() override {}

    long long receivers() const { return receivers_; }
    // PUBLISH counted no one, but the server is a cluster (see on_subscribed).
    bool in_cluster() const { return in_cluster_; }
    long long received() const { return received_; }

  private:
    redis::Connection& publisher_;
    const RequestOptions& o_;
    std::string request_;
    output::Formatter& formatter_;
    long long receivers_ = -1;  // not published yet
    long long received_ = 0;
    bool in_cluster_ = false;
};

int run_request(const RequestOptions& o, const GlobalOptions& globals) {
    auto formatter = stdout_formatter(o.format);
    const auto timeout = util::parse_duration(o.timeout, "--timeout");
    if (o.reply_field.empty()) throw usage_error("--reply-field must not be empty");
    if (o.reply_to && o.reply_to->empty()) throw usage_error("--reply-to must not be empty");
    const std::string reply_channel = o.reply_to.value_or(new_reply_channel());
    const std::string request = message::add_reply_field(
        resolve_message(o.message, WhenMissing::read_piped_stdin), o.reply_field, reply_channel);

    const redis::Deadline deadline = redis::Clock::now() + timeout;
    auto settings = config::load_settings(globals.connection);
    // PUBLISH's reply shows the connection works: no PING first.
    auto publisher = redis::Connection::open(settings, redis::Connection::Protocol::resp2, false);
    redis::SubscriberOptions options;
    options.names = {reply_channel};
    // Replies published while a connection is being repaired are lost: say so (exit 3).
    options.reconnect = false;
    ReplySink sink(publisher, o, request, *formatter);
    redis::Subscriber subscriber(settings, options);
    const redis::StopReason why = subscriber.run(deadline, sink);

    if (sink.receivers() == 0 && !sink.in_cluster()) {
        spdlog::error("no one received the request on '{}' (PUBLISH returned 0)", o.channel);
        return static_cast<int>(ExitCode::too_few_receivers);
    }
    if (sink.received() >= o.replies) return 0;
    const std::string got = std::to_string(sink.received()) + " of " + std::to_string(o.replies) +
                            " reply(ies) on '" + reply_channel + "'";
    if (why == redis::StopReason::deadline) {
        spdlog::error("--timeout {} ended after {}{}", o.timeout, got,
                      sink.receivers() < 0 ? " (the request was not sent)" : "");
        return static_cast<int>(ExitCode::timeout);
    }
    spdlog::warn("stopped by a signal after {}", got);
    return publish::interrupted_exit_code;
}

}  // namespace

CommandSpec request_command() {
    return {"request", "Publish a request with a reply channel and print the replies",
            [](CLI::App& sub, const GlobalOptions& globals) -> Action {
                auto o = std::make_shared<RequestOptions>();
                sub.add_option("channel", o->channel, "Channel to publish the request to")
                    ->required()
                    ->type_name("CHANNEL");
                sub.add_option("message", o->message.message,
                               "JSON object; '-' or none with piped stdin reads stdin")
                    ->type_name("MESSAGE");
                add_message_build_options(sub, o->message);
                add_format_options(sub, o->format);
                sub.add_option("--replies", o->replies, "Exit 0 after N replies (default 1)")
                    ->check(util::whole_number(1, std::numeric_limits<long long>::max()))
                    ->type_name("N");
                sub.add_option("--timeout", o->timeout,
                               "Wait at most DURATION from the start (default 5s); exit 124 with "
                               "fewer than --replies replies")
                    ->type_name("DURATION");
                sub.add_option("--reply-field", o->reply_field,
                               "The field of the request that names the reply channel (default "
                               "reply_to)")
                    ->type_name("NAME");
                sub.add_option(
                       "--reply-to", o->reply_to,
                       "Reply channel (default amr:reply:<a new UUID>); every message on it "
                       "counts as a reply")
                    ->type_name("CHANNEL");
                sub.footer(
                    "The request gets \"reply_to\":\"amr:reply:<uuid>\" as its last field; amr "
                    "subscribes\nto that channel before it publishes. Exit 5 when no one received "
                    "the request\n(not in a cluster, whose PUBLISH counts only one node's "
                    "subscribers: there amr waits).\n"
                    "Examples:\n"
                    "  amr request prices '{\"sku\":\"PROD-12345\"}'\n"
                    "  amr request -j prices '{\"sku\":\"PROD-12345\"}' | jq -r .data.price\n"
                    "  amr request health '{}' --replies 3 --timeout 2s -F raw\n"
                    "  amr request orders --event get_order -f order_id=ORD-1");
                return [o, &globals] { return run_request(*o, globals); };
            }};
}

}  // namespace amr::commands
