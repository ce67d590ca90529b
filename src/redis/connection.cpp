#include "redis/connection.hpp"

#include <hiredis_ssl.h>
#include <spdlog/spdlog.h>

#include <openssl/err.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <mutex>

#include "redis/tls.hpp"

namespace amr::redis {
namespace {

const char* const connection_hint =
    "check that the Redis host and port are correct, and that the network allows it";
const char* const auth_hint =
    "make sure the access key is correct (REDIS_KEY, .env or -a/--password)";

timeval to_timeval(std::chrono::milliseconds ms) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
    return tv;
}

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

Connection Connection::open(const config::Settings& s, Protocol protocol, bool verify) {
    static std::once_flag ssl_init;
    std::call_once(ssl_init, [] { redisInitOpenSSL(); });

    const std::string where = s.host + ":" + std::to_string(s.port);
    spdlog::debug("connecting to {} ({})", where, s.tls ? "TLS" : "plain TCP");

    timeval timeout = to_timeval(s.connect_timeout);
    redisOptions options{};
    REDIS_OPTIONS_SET_TCP(&options, s.host.c_str(), s.port);
    options.connect_timeout = &timeout;
    // Set before the handshake: hiredis turns it into SO_RCVTIMEO/SO_SNDTIMEO.
    options.command_timeout = &timeout;
    ContextPtr context(redisConnectWithOptions(&options));
    if (!context) throw Error(ErrorKind::failure, "out of memory");
    if (context->err) {
        throw Error(ErrorKind::connection, "cannot connect to " + where + ": " + context->errstr,
                    connection_hint);
    }

    // Finds dead peers even when nothing is sent (AMR drops idle connections).
    redisEnableKeepAlive(context.get());
    // A command amr runs (--token-command) must not inherit the socket.
    fcntl(context->fd, F_SETFD, fcntl(context->fd, F_GETFD) | FD_CLOEXEC);

    SSL* ssl = nullptr;
    if (s.tls) {
        if (s.insecure) spdlog::warn("--insecure: the server's certificate is not verified");
        SslCtxPtr ctx = make_ssl_context(s);
        SslPtr owned = make_ssl(ctx.get(), s);
        if (redisInitiateSSL(context.get(), owned.get()) != REDIS_OK) {
            // hiredis does not take the SSL when the handshake fails: `owned` frees it.
            throw handshake_error(owned.get(), context->errstr, s);
        }
        ssl = owned.release();
        spdlog::debug("TLS established with {} ({})", where, SSL_get_version(ssl));
    }

    Connection conn(std::move(context), ssl, s);
    const std::string password = s.token ? s.token->token() : s.password;
    if (protocol == Protocol::resp3_preferred) {
        // A view of s.user or of a literal, never of a temporary string (the ternary of a
        // std::string and a literal makes one, which died before HELLO was sent).
        const std::string_view user = s.user.empty() ? std::string_view("default") : s.user;
        std::vector<std::string_view> hello = {"HELLO", "3"};
        if (!password.empty()) hello.insert(hello.end(), {"AUTH", user, password});
        conn.append(hello);
        ReplyPtr reply = conn.read_reply();
        if (reply->type != REDIS_REPLY_ERROR) {
            conn.resp3_ = true;
        } else if (!starts_with_any({reply->str, reply->len}, {"NOPROTO", "ERR unknown command"})) {
            throw reply_error(reply.get(), "HELLO");
        } else {
            spdlog::debug("{} has no RESP3: {}", where, std::string_view(reply->str, reply->len));
        }
    }
    if (!conn.resp3_ && !password.empty()) {
        std::vector<std::string_view> auth = {"AUTH"};
        if (!s.user.empty()) auth.push_back(s.user);
        auth.push_back(password);
        conn.command(auth);
    }
    if (!password.empty()) spdlog::debug("authenticated{}", s.user.empty() ? "" : " as " + s.user);
    if (verify) conn.command({"PING"});
    return conn;
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
    throw Error(ErrorKind::connection, std::string(during) + " " + endpoint() + ": " + detail,
                connection_hint);
}

ReplyPtr Connection::command(const std::vector<std::string_view>& args) {
    append(args);
    ReplyPtr reply = read_reply();
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

ReplyPtr Connection::read_reply() {
    void* raw = nullptr;
    if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr) {
        throw_io_error("lost the connection to");
    }
    return ReplyPtr(static_cast<redisReply*>(raw));
}

void Connection::flush() {
    int done = 0;
    while (!done) {
        if (redisBufferWrite(context_.get(), &done) != REDIS_OK) {
            throw_io_error("lost the connection to");
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
    return bytes;
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

void Connection::read_available() {
    if (redisBufferRead(context_.get()) != REDIS_OK) throw_io_error("lost the connection to");
}

ReplyPtr Connection::buffered_reply() {
    void* raw = nullptr;
    if (redisGetReplyFromReader(context_.get(), &raw) != REDIS_OK) {
        throw Error(ErrorKind::failure,
                    std::string("bad reply from the server: ") + context_->errstr);
    }
    return ReplyPtr(static_cast<redisReply*>(raw));
}

bool Connection::tls_pending() const {
    return ssl_ != nullptr && SSL_pending(ssl_) > 0;
}

}  // namespace amr::redis
