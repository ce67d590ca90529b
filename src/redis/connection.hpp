// One hiredis connection: connect (TCP or TLS), authenticate, verify with PING, and send
// commands. Every hiredis failure becomes a typed amr::Error here and nowhere else.
// Connect, TLS, HELLO/AUTH and the first reply share one deadline (--connect-timeout);
// every later reply has one of its own. Replies are framed by FrameParser as they arrive,
// so what a server announces is checked before amr buffers it and hiredis parses only
// whole replies; a protocol fault is a connection Error (exit 3) naming the server.
#pragma once

#include <hiredis.h>
#include <openssl/ssl.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"
#include "error.hpp"
#include "redis/push_parser.hpp"
#include "redis/reply_check.hpp"
#include "redis/socket.hpp"

namespace amr::redis {

struct ReplyDeleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// The Error for an error reply: WRONGPASS, NOAUTH and NOPERM are auth failures.
Error reply_error(std::string_view text, std::string_view command);
inline Error reply_error(const redisReply* reply, std::string_view command) {
    return reply_error(std::string_view(reply->str, reply->len), command);
}

// Throws a protocol Error unless `reply` is +PONG.
void check_pong(const redisReply* reply, const std::string& endpoint);

// How long each step of Connection::open took (amr check reports them).
struct OpenTimes {
    Clock::duration tcp_connect{};                 // name resolution and TCP
    std::optional<Clock::duration> tls_handshake;  // with TLS
    std::optional<Clock::duration> auth;           // HELLO or AUTH, when sent
};

class Connection {
  public:
    // RESP3 lets a subscribed connection run AUTH (token refresh); servers without it
    // (no HELLO) get RESP2.
    enum class Protocol { resp2, resp3_preferred };

    // Connects, runs the TLS handshake, AUTH (with the token when signing in with Entra
    // ID) and PING. Throws connection (3) or auth (4) Errors with the lab's hints.
    // `verify` sends a PING (as the lab does); a caller about to send its own command
    // anyway can skip that round trip (its first reply then keeps the connect deadline).
    // `stoppable`: SIGINT and SIGTERM end the opening (throwing Interrupted) for callers
    // that handle them (util::stop_signal_fd).
    static Connection open(const config::Settings& settings, Protocol protocol = Protocol::resp2,
                           bool verify = true, bool stoppable = false);

    bool resp3() const { return resp3_; }
    const OpenTimes& open_times() const { return open_times_; }
    // Sends AUTH with `password` without waiting: subscribed connections read the reply
    // among their push frames.
    void send_auth(const std::string& password);

    // Sends one command and waits for its reply; error replies throw.
    ReplyPtr command(const std::vector<std::string_view>& args);

    // Pipelining: queue commands, then read their replies in order. `command` names the
    // command in messages (a reply not in time, a protocol fault).
    void append(const std::vector<std::string_view>& args);
    ReplyPtr read_reply(std::string_view command = {});  // error replies are returned
    // Sends every queued command without waiting for replies (each wait for the socket to
    // take more at most the reply timeout).
    void flush();
    // One write of what is queued that does not wait for the socket (event loops: amr
    // bench): true when nothing is left to send. Throws a connection Error when lost.
    bool write_some();
    // Whether queued commands wait for the socket to take them.
    bool write_pending() const;
    // Queues commands already in RESP (any number of them, one buffer), like append().
    void append_formatted(std::string_view resp);
    // Replies to pipelined commands without blocking on each: read_available() reads what
    // the socket has (one read once it is readable; a connection Error on EOF, on an error,
    // or when `deadline` passes first), buffered_reply() returns the next whole reply
    // read, or null; a protocol fault in what was read throws once the replies before it
    // are taken.
    void read_available(Clock::time_point deadline, std::string_view command = {});
    ReplyPtr buffered_reply();
    // When a reply asked for now is due.
    Clock::time_point reply_deadline() const { return Clock::now() + settings_.connect_timeout; }

    // Subscribed connections are read past hiredis (see push_parser.hpp):
    // bytes hiredis read but did not parse yet, handed over once.
    std::string take_unparsed();
    // One read from the socket (through TLS when on) into `buf`: the byte count, 0 when
    // nothing was ready. Throws a connection Error on EOF or error.
    size_t read_raw(char* buf, size_t size);
    // Whether TLS holds decrypted bytes not read yet (poll() cannot see them).
    bool tls_pending() const;

    int fd() const { return context_->fd; }
    const config::Settings& settings() const { return settings_; }
    std::string endpoint() const;

  private:
    Connection(ContextPtr context, SSL* ssl, config::Settings settings);

    [[noreturn]] void throw_io_error(std::string_view during) const;
    [[noreturn]] void throw_no_reply(std::string_view command) const;
    void feed(const char* bytes, size_t size);
    void frame_replies();
    size_t partial_bytes() const;
    void open_session(Protocol protocol, const std::string& password);

    ContextPtr context_;
    SSL* ssl_ = nullptr;  // owned by hiredis once the handshake succeeded
    bool resp3_ = false;
    OpenTimes open_times_;
    config::Settings settings_;
    // hiredis's unparsed bytes (reader->buf from reader->pos) begin with whole replies not
    // taken yet, of these sizes (framed_ in all), then the reply parser_ is in.
    FrameParser parser_;
    std::deque<size_t> whole_;
    size_t framed_ = 0;
    std::optional<Error> fault_;  // in the bytes after the whole replies
    uint64_t bytes_read_ = 0;     // since the connection opened
    bool opening_ = false;        // in open(): replies keep the connect deadline
    bool stoppable_ = false;      // in open(): signals end it
    std::optional<Clock::time_point> connect_deadline_;  // for the replies it covers
};

}  // namespace amr::redis
