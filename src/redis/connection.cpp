#include "redis/connection.hpp"

#include <hiredis_ssl.h>
#include <spdlog/spdlog.h>

#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "redis/tls.hpp"

namespace amr::redis {
namespace {

const char* const auth_hint =
    "make sure the access key is correct (REDIS_KEY, .env or -a/--password)";

bool starts_with_any(std::string_view text, std::initializer_list<std::string_view> prefixes) {
    for (auto p : prefixes) {
        if (text.starts_with(p)) return true;
    }
    return false;
}

std::vector<const char*> argv_of(const std::vector<std::string_view>& args,
                                 std::vector<size_t>& lengths) {
    std::vector<const char*> argv;
    argv.reserve(args.size());
    lengths.clear();
    for (auto a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    return argv;
}

}  // namespace

Error reply_error(std::string_view reply, std::string_view command) {
    std::string text(reply);
    if (starts_with_any(text, {"WRONGPASS", "NOAUTH", "NOPERM", "ERR invalid password", "ERR AUTH",
                               "ERR Client sent AUTH", "ERR invalid username"})) {
        return Error(ErrorKind::auth, std::string(command) + " refused: " + text, auth_hint);
    }
    return Error(ErrorKind::failure, std::string(command) + " failed: " + text);
}

std::string Connection::endpoint() const {
    return settings_.host + ":" + std::to_string(settings_.port);
}

void check_pong(const redisReply* reply, const std::string& endpoint) {
    expect_type(reply, {REDIS_REPLY_STATUS}, "PONG", "PING", endpoint);
    if (std::string_view(reply->str, reply->len) != "PONG") {
        throw protocol_error(endpoint, "the reply to PING was a simple string other than PONG");
    }
}

Connection::Connection(ContextPtr context, SSL* ssl, config::Settings settings)
    : context_(std::move(context)),
      ssl_(ssl),
      settings_(std::move(settings)),
      parser_(settings_.max_bulk, endpoint(), FrameParser::Attributes::refuse) {
    // hiredis's own guard, never reached: replies come to it whole and checked. An
    // element takes at least 3 bytes ("_\r\n").
    context_->reader->maxelements = static_cast<long long>(settings_.max_bulk / 3);
}

Connection Connection::open(const config::Settings& s, Protocol protocol, bool verify,
                            bool stoppable) {
    static std::once_flag ssl_init;
    std::call_once(ssl_init, [] { redisInitOpenSSL(); });

    const std::string where = s.host + ":" + std::to_string(s.port);
    spdlog::debug("connecting to {} ({})", where, s.tls ? "TLS" : "plain TCP");
    const Clock::time_point start = Clock::now();
    const Clock::time_point deadline = start + s.connect_timeout;
    ContextPtr context = connect_tcp(s, deadline, stoppable);
    OpenTimes times;
    Clock::time_point step = Clock::now();
    times.tcp_connect = step - start;

    SSL* ssl = nullptr;
    if (s.tls) {
        if (s.insecure) spdlog::warn("--insecure: the server's certificate is not verified");
        ssl = start_tls(context.get(), s, deadline, stoppable);
        spdlog::debug("TLS established with {} ({})", where, SSL_get_version(ssl));
        times.tls_handshake = Clock::now() - step;
    }

    Connection conn(std::move(context), ssl, s);
    conn.opening_ = true;
    conn.stoppable_ = stoppable;
    conn.connect_deadline_ = deadline;
    // The token command's run (when it runs) is not part of the auth time.
    const std::string password = s.token ? s.token->token() : s.password;
    step = Clock::now();
    conn.open_session(protocol, password);
    if (protocol == Protocol::resp3_preferred || !password.empty()) {
        times.auth = Clock::now() - step;
    }
    conn.open_times_ = times;
    if (verify) {
        check_pong(conn.command({"PING"}).get(), where);
        conn.connect_deadline_.reset();
    }
    conn.opening_ = false;
    conn.stoppable_ = false;
    return conn;
}

void Connection::open_session(Protocol protocol, const std::string& password) {
    const config::Settings& s = settings_;
    if (protocol == Protocol::resp3_preferred) {
        // A view of s.user or of a literal, never of a temporary string (the ternary of a
        // std::string and a literal makes one, which died before HELLO was sent).
        const std::string_view user = s.user.empty() ? std::string_view("default") : s.user;
        std::vector<std::string_view> hello = {"HELLO", "3"};
        if (!password.empty()) hello.insert(hello.end(), {"AUTH", user, password});
        append(hello);
        ReplyPtr reply = read_reply("HELLO");
        expect_type(reply.get(), {REDIS_REPLY_MAP, REDIS_REPLY_ARRAY, REDIS_REPLY_ERROR}, "a map",
                    "HELLO", endpoint());
        if (reply->type != REDIS_REPLY_ERROR) {
            resp3_ = true;
        } else if (!starts_with_any({reply->str, reply->len}, {"NOPROTO", "ERR unknown command"})) {
            throw reply_error(reply.get(), "HELLO");
        } else {
            spdlog::debug("{} has no RESP3: {}", endpoint(),
                          std::string_view(reply->str, reply->len));
        }
    }
    if (!resp3_ && !password.empty()) {
        std::vector<std::string_view> auth = {"AUTH"};
        if (!s.user.empty()) auth.push_back(s.user);
        auth.push_back(password);
        expect_type(command(auth).get(), {REDIS_REPLY_STATUS}, "OK", "AUTH", endpoint());
    }
    if (!password.empty()) spdlog::debug("authenticated{}", s.user.empty() ? "" : " as " + s.user);
}

void Connection::send_auth(const std::string& password) {
    std::vector<std::string_view> auth = {"AUTH"};
    if (!settings_.user.empty()) auth.push_back(settings_.user);
    auth.push_back(password);
    append(auth);
    flush();
}

void Connection::throw_io_error(std::string_view during) const {
    std::string detail = context_->errstr;
    if (context_->err == REDIS_ERR_EOF || detail.empty())
        detail = "the server closed the connection";
    if (opening_ && ssl_ == nullptr && bytes_read_ == 0) {
        // A TLS server drops a client that speaks plain RESP to it without a word (a close
        // or a reset).
        throw Error(ErrorKind::connection,
                    endpoint() +
                        " closed the connection without answering: the port may need "
                        "TLS (--tls)",
                    "connect with --tls (or REDIS_TLS=true) for a TLS port");
    }
    throw Error(ErrorKind::connection, std::string(during) + " " + endpoint() + ": " + detail,
                connection_hint);
}

void Connection::throw_no_reply(std::string_view command) const {
    std::string what = "no reply within " + timeout_text(settings_.connect_timeout);
    if (!command.empty()) what += " to " + std::string(command);
    what += " from " + endpoint();
    if (partial_bytes() > 0) {
        what += " (" + std::to_string(partial_bytes()) + " bytes of one came)";
    }
    throw Error(ErrorKind::connection, what, connection_hint);
}

ReplyPtr Connection::command(const std::vector<std::string_view>& args) {
    append(args);
    ReplyPtr reply = read_reply(args.front());
    if (reply->type == REDIS_REPLY_ERROR) throw reply_error(reply.get(), args.front());
    return reply;
}

void Connection::append(const std::vector<std::string_view>& args) {
    std::vector<size_t> lengths;
    std::vector<const char*> argv = argv_of(args, lengths);
    if (redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(),
                               lengths.data()) != REDIS_OK) {
        throw Error(ErrorKind::failure, "out of memory");
    }
}

ReplyPtr Connection::read_reply(std::string_view command) {
    flush();
    const Clock::time_point deadline = connect_deadline_.value_or(reply_deadline());
    if (!opening_) connect_deadline_.reset();
    for (;;) {
        if (ReplyPtr reply = buffered_reply()) return reply;
        read_available(deadline, command);
    }
}

void Connection::flush() {
    for (;;) {
        int done = 0;
        if (redisBufferWrite(context_.get(), &done) != REDIS_OK) {
            throw_io_error("lost the connection to");
        }
        if (done) return;
        const auto deadline = connect_deadline_.value_or(reply_deadline());
        if (wait_for(fd(), POLLOUT, deadline, stoppable_, endpoint()) == Ready::timed_out) {
            throw Error(
                ErrorKind::connection,
                endpoint() + " took no data within " + timeout_text(settings_.connect_timeout),
                connection_hint);
        }
    }
}

std::string Connection::take_unparsed() {
    redisReader* reader = context_->reader;
    std::string bytes;
    if (reader->buf != nullptr && reader->len > reader->pos) {
        bytes.assign(reader->buf + reader->pos, reader->len - reader->pos);
        reader->pos = reader->len;
    }
    // From here the caller frames what the server sends.
    parser_.reset();
    whole_.clear();
    framed_ = 0;
    return bytes;
}

bool Connection::write_some() {
    int done = 0;
    if (redisBufferWrite(context_.get(), &done) != REDIS_OK)
        throw_io_error("lost the connection to");
    return done != 0;
}

bool Connection::write_pending() const {
    return context_->obuf != nullptr && sdslen(context_->obuf) > 0;
}

size_t Connection::read_raw(char* buf, size_t size) {
    if (ssl_ != nullptr) {
        ERR_clear_error();
        int n = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(size, INT_MAX)));
        if (n > 0) return static_cast<size_t>(n);
        int err = SSL_get_error(ssl_, n);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return 0;
        if (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EINTR)) return 0;
        throw Error(ErrorKind::connection,
                    "lost the connection to " + endpoint() + ": " +
                        (err == SSL_ERROR_ZERO_RETURN || n == 0
                             ? std::string("the server closed the connection")
                             : "TLS read failed"),
                    connection_hint);
    }
    ssize_t n = recv(context_->fd, buf, size, 0);
    if (n > 0) return static_cast<size_t>(n);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
    throw Error(
        ErrorKind::connection,
        "lost the connection to " + endpoint() + ": " +
            (n == 0 ? std::string("the server closed the connection") : std::strerror(errno)),
        connection_hint);
}

void Connection::append_formatted(std::string_view resp) {
    if (redisAppendFormattedCommand(context_.get(), resp.data(), resp.size()) != REDIS_OK) {
        throw Error(ErrorKind::failure, "out of memory");
    }
}

void Connection::read_available(Clock::time_point deadline, std::string_view command) {
    if (fault_) return;  // buffered_reply() reports it
    if (!tls_pending() &&
        wait_for(fd(), POLLIN, deadline, stoppable_, endpoint()) == Ready::timed_out) {
        throw_no_reply(command);
    }
    char buf[64 * 1024];
    const ssize_t n = context_->funcs->read(context_.get(), buf, sizeof buf);
    if (n < 0) throw_io_error("lost the connection to");
    feed(buf, static_cast<size_t>(n));
}

void Connection::feed(const char* bytes, size_t size) {
    if (size == 0) return;
    if (bytes_read_ == 0 && opening_ && ssl_ == nullptr && (bytes[0] == 0x15 || bytes[0] == 0x16)) {
        // A TLS server's answer to plain RESP is an alert (0x15) or a handshake (0x16).
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(bytes[0]));
        const Error fault = frame_error(
            endpoint(), 0, std::string("a TLS record (byte ") + byte + "): the server speaks TLS");
        fault_ = Error(ErrorKind::connection, fault.what(), "the port needs TLS (--tls)");
    }
    bytes_read_ += size;
    if (redisReaderFeed(context_->reader, bytes, size) != REDIS_OK) {
        throw Error(ErrorKind::failure, "out of memory");
    }
    if (!fault_) frame_replies();
}

size_t Connection::partial_bytes() const {
    const redisReader* reader = context_->reader;
    return reader->len - reader->pos - framed_;
}

// Finds where the replies after the whole ones end. The parser goes on with the reply in
// progress, given its bytes from its first one; hiredis keeps them all.
void Connection::frame_replies() {
    const redisReader* reader = context_->reader;
    // A string of --proto-max-bulk-len bytes with its framing: the parser bounds each
    // string and count, not a reply in all.
    const size_t max_reply = settings_.max_bulk + 64;
    const auto too_large = [&] {
        return frame_error(endpoint(), max_reply,
                           "a reply of more than " + std::to_string(max_reply) +
                               " bytes, over --proto-max-bulk-len (" +
                               std::to_string(settings_.max_bulk) + " bytes)");
    };
    Frame frame;
    try {
        for (;;) {
            const size_t from = reader->pos + framed_;
            const size_t size = parser_.parse({reader->buf + from, reader->len - from}, frame);
            if (size == 0) break;
            if (size > max_reply) throw too_large();
            whole_.push_back(size);
            framed_ += size;
        }
        if (partial_bytes() > max_reply) throw too_large();
    } catch (const Error& e) {
        fault_ = e;  // thrown once the whole replies before it are taken
    }
}

ReplyPtr Connection::buffered_reply() {
    redisReader* reader = context_->reader;
    while (!whole_.empty()) {
        // hiredis takes exactly the one whole reply at reader->pos; when it compacts its
        // buffer, pos becomes 0 at that reply's end.
        const size_t unparsed = reader->len - reader->pos;
        void* raw = nullptr;
        if (redisReaderGetReply(reader, &raw) != REDIS_OK || raw == nullptr) {
            throw protocol_error(endpoint(), reader->errstr);
        }
        ReplyPtr reply(static_cast<redisReply*>(raw));
        if (unparsed - (reader->len - reader->pos) != whole_.front()) {
            throw protocol_error(endpoint(), "a reply hiredis reads as of another size than amr");
        }
        framed_ -= whole_.front();
        whole_.pop_front();
        if (reply->type != REDIS_REPLY_PUSH) return reply;
        // RESP3 sends pushes among replies (invalidations, messages): not replies.
        if (!resp3_) throw protocol_error(endpoint(), "a push frame on a RESP2 connection");
    }
    if (fault_) throw *fault_;
    return nullptr;
}

bool Connection::tls_pending() const {
    return ssl_ != nullptr && SSL_pending(ssl_) > 0;
}

}  // namespace amr::redis
