// TLS for hiredis: our own SSL_CTX and SSL, because hiredis 1.2 verifies the chain but
// not the host name.
#pragma once

#include <openssl/ssl.h>

#include <memory>

#include "config/settings.hpp"
#include "error.hpp"

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

// The connection Error for a failed handshake, from the certificate verification result
// when there is one.
Error handshake_error(SSL* ssl, const std::string& hiredis_error, const config::Settings& s);

}  // namespace amr::redis
