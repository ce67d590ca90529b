#include "redis/tls.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

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

Error handshake_error(SSL* ssl, const std::string& hiredis_error, const config::Settings& s) {
    const std::string where = s.host + ":" + std::to_string(s.port);
    long result = SSL_get_verify_result(ssl);
    if (result == X509_V_OK) {
        // A plain server takes the ClientHello for the start of a command and waits for
        // more: the read times out and OpenSSL has no reason to give.
        const bool timed_out = hiredis_error.find("(null)") != std::string::npos ||
                               hiredis_error.find("temporarily unavailable") != std::string::npos;
        const std::string detail =
            timed_out ? "no TLS answer before --connect-timeout" : hiredis_error;
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

}  // namespace amr::redis
