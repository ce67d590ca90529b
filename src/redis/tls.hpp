// TLS for hiredis: our own SSL_CTX and SSL, because hiredis 1.2 verifies the chain but
// not the host name.
#pragma once

#include <openssl/ssl.h>

#include <memory>

#include "config/settings.hpp"
#include "error.hpp"
#include "redis/socket.hpp"

namespace amr::redis {

struct SslCtxDeleter {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

struct SslDeleter {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

// TLS 1.2+, peer verification against --cacert/--capath or the system store, the client
// certificate when given. Throws a usage Error naming an unreadable file.
SslCtxPtr make_ssl_context(const config::Settings& settings);

// An SSL for one connection: SNI (--sni, else the host when it is a name) and the host
// name (or IP address) the certificate must match, unless --insecure.
SslPtr make_ssl(SSL_CTX* ctx, const config::Settings& settings);

// Runs the TLS handshake on a connected context by `deadline`; the SSL it returns is the
// context's (redisFree frees it). Throws connection Errors: a certificate not accepted, a
// port that speaks plain RESP (a handshake without answer makes amr try a plain PING on a
// second connection after a moment, rather than wait for the whole deadline), no answer.
SSL* start_tls(redisContext* context, const config::Settings& s, Clock::time_point deadline,
               bool stoppable);

}  // namespace amr::redis
