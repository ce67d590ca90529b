#include "redis/tls.hpp"

#include <arpa/inet.h>
#include <hiredis_ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>

#include "error.hpp"

namespace amr::redis {
namespace {

std::string openssl_error() {
    unsigned long code = ERR_peek_last_error();
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    ERR_clear_error();
    return code ? buf : "unknown OpenSSL error";
}

bool is_ip_address(const std::string& host) {
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// A handshake with no answer this long is worth a plain PING to see why.
constexpr auto probe_after = std::chrono::seconds(1);
constexpr auto probe_limit = std::chrono::seconds(2);

const char* const plain_hint = "connect with --no-tls (or REDIS_TLS=false) for a plain port";

// Whether the port answers an inline PING as a plain Redis does (+PONG, or -NOAUTH ...).
bool answers_plain_ping(const config::Settings& s, Clock::time_point deadline) {
    try {
        ContextPtr probe = connect_tcp(s, deadline, false);
        static constexpr char ping[] = "PING\r\n";
        if (send(probe->fd, ping, sizeof ping - 1, MSG_NOSIGNAL) != sizeof ping - 1) return false;
        const std::string where = s.host + ":" + std::to_string(s.port);
        if (wait_for(probe->fd, POLLIN, deadline, false, where) != Ready::ready) return false;
        char answer[64];
        const ssize_t n = recv(probe->fd, answer, sizeof answer, 0);
        return n > 0 && (answer[0] == '+' || answer[0] == '-');
    } catch (const Error&) {
        return false;
    }
}

Error plain_port_error(const config::Settings& s) {
    return Error(ErrorKind::connection,
                 "TLS handshake with " + s.host + ":" + std::to_string(s.port) +
                     " failed: the port speaks plain RESP (it answered a plain PING)",
                 plain_hint);
}

// The connection Error for a failed handshake, from the certificate verification result
// when there is one.
Error handshake_error(SSL* ssl, const std::string& detail, const config::Settings& s) {
    const std::string where = s.host + ":" + std::to_string(s.port);
    long result = SSL_get_verify_result(ssl);
    if (result == X509_V_OK) {
        return Error(ErrorKind::connection, "TLS handshake with " + where + " failed: " + detail,
                     "check that the server speaks TLS on this port (--no-tls for a plain one)");
    }
    std::string message =
        "TLS certificate of " + where + " not accepted: " + X509_verify_cert_error_string(result);
    if (result == X509_V_ERR_HOSTNAME_MISMATCH || result == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        return Error(ErrorKind::connection, message,
                     "the certificate is not for '" + s.host +
                         "': connect with a host name it has, or use --insecure to skip checks");
    }
    return Error(ErrorKind::connection, message,
                 "give the CA that signed it with --cacert FILE (or REDIS_CACERT), or use "
                 "--insecure to skip verification");
}

}  // namespace

SslCtxPtr make_ssl_context(const config::Settings& s) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) throw Error(ErrorKind::failure, "cannot create a TLS context: " + openssl_error());
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx.get(), s.insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);

    if (!s.cacert.empty() || !s.capath.empty()) {
        const char* file = s.cacert.empty() ? nullptr : s.cacert.c_str();
        const char* dir = s.capath.empty() ? nullptr : s.capath.c_str();
        if (SSL_CTX_load_verify_locations(ctx.get(), file, dir) != 1) {
            std::string what =
                file ? "--cacert/REDIS_CACERT file " + s.cacert : "--capath directory " + s.capath;
            throw usage_error("cannot load CA certificates from " + what + ": " + openssl_error());
        }
    } else if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
        throw Error(ErrorKind::failure, "cannot load the system CA store: " + openssl_error());
    }

    if (!s.cert.empty()) {
        if (SSL_CTX_use_certificate_chain_file(ctx.get(), s.cert.c_str()) != 1) {
            throw usage_error("cannot load --cert " + s.cert + ": " + openssl_error());
        }
        if (SSL_CTX_use_PrivateKey_file(ctx.get(), s.key.c_str(), SSL_FILETYPE_PEM) != 1) {
            throw usage_error("cannot load --key " + s.key + ": " + openssl_error());
        }
    }
    return ctx;
}

SslPtr make_ssl(SSL_CTX* ctx, const config::Settings& s) {
    SslPtr ssl(SSL_new(ctx));
    if (!ssl) throw Error(ErrorKind::failure, "cannot create a TLS session: " + openssl_error());
    const std::string& name = s.tls_name.empty() ? s.host : s.tls_name;
    const std::string& sni = s.sni.empty() ? name : s.sni;
    if (!is_ip_address(sni)) SSL_set_tlsext_host_name(ssl.get(), sni.c_str());
    if (!s.insecure) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        int ok = is_ip_address(name) ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                                     : SSL_set1_host(ssl.get(), name.c_str());
        if (ok != 1) throw usage_error("cannot verify against host '" + name + "'");
    }
    return ssl;
}

SSL* start_tls(redisContext* context, const config::Settings& s, Clock::time_point deadline,
               bool stoppable) {
    const std::string where = s.host + ":" + std::to_string(s.port);
    SslCtxPtr ctx = make_ssl_context(s);
    SslPtr owned = make_ssl(ctx.get(), s);
    // On a non-blocking context this only starts the handshake.
    if (redisInitiateSSL(context, owned.get()) != REDIS_OK) {
        throw handshake_error(owned.get(), context->errstr, s);  // `owned` frees the SSL
    }
    SSL* ssl = owned.release();  // the context's now
    const auto probe_at = Clock::now() + probe_after;
    bool probed = false;
    for (;;) {
        ERR_clear_error();
        const int rv = SSL_do_handshake(ssl);
        if (rv == 1) return ssl;
        const int err = SSL_get_error(ssl, rv);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            const std::string detail = err == SSL_ERROR_SYSCALL && ERR_peek_last_error() == 0
                                           ? "the server closed the connection"
                                           : openssl_error();
            if (SSL_get_verify_result(ssl) == X509_V_OK &&
                answers_plain_ping(s, std::min(deadline, Clock::now() + probe_limit))) {
                throw plain_port_error(s);
            }
            throw handshake_error(ssl, detail, s);
        }
        const short events = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
        // Nothing back from the server yet: after a moment, see whether it speaks plain RESP.
        const bool may_probe = !probed && BIO_number_read(SSL_get_rbio(ssl)) == 0;
        const auto until = may_probe ? std::min(deadline, probe_at) : deadline;
        if (wait_for(SSL_get_fd(ssl), events, until, stoppable, where) == Ready::ready) continue;
        if (until == deadline) {
            throw handshake_error(ssl, "no answer within " + timeout_text(s.connect_timeout), s);
        }
        probed = true;
        if (answers_plain_ping(s, std::min(deadline, Clock::now() + probe_limit))) {
            throw plain_port_error(s);
        }
    }
}

}  // namespace amr::redis
