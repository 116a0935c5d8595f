// The parts of the system OpenSSL 3 the package uses: libssl for TLS (XMPPTLS) and libcrypto for hashes, HMAC,
// PBKDF2 and randomness (SASL). Macros that Swift cannot import are wrapped as static inline functions below.
#ifndef CLIBSSL_SHIM_H
#define CLIBSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/bio.h>

// TLS helpers (XMPPTLS): each wraps one OpenSSL macro of the same name without the prefix.

/// `BIO_pending`: bytes waiting to be read from a BIO (for a memory BIO: ciphertext to send).
static inline int CLibSSL_BIO_pending(BIO *bio) {
    return BIO_pending(bio);
}

/// `BIO_set_mem_eof_return`: what reading an empty memory BIO returns; -1 means "retry" rather than EOF.
static inline long CLibSSL_BIO_set_mem_eof_return(BIO *bio, int value) {
    return BIO_set_mem_eof_return(bio, value);
}

/// `SSL_set_tlsext_host_name`: the SNI host name sent in the ClientHello. Returns 1 on success.
static inline long CLibSSL_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

/// `SSL_CTX_set_min_proto_version`. Returns 1 on success.
static inline long CLibSSL_SSL_CTX_set_min_proto_version(SSL_CTX *context, int version) {
    return SSL_CTX_set_min_proto_version(context, version);
}

/// `SSL_CTX_set_max_proto_version` (0: the highest the library supports). Returns 1 on success.
static inline long CLibSSL_SSL_CTX_set_max_proto_version(SSL_CTX *context, int version) {
    return SSL_CTX_set_max_proto_version(context, version);
}

/// `SSL_CTX_set_mode`: adds mode bits, returns the new mode.
static inline long CLibSSL_SSL_CTX_set_mode(SSL_CTX *context, long mode) {
    return SSL_CTX_set_mode(context, mode);
}

/// `SSL_get_extms_support`: 1 if the extended master secret (RFC 7627) was negotiated, 0 if not, -1 before the
/// handshake.
static inline long CLibSSL_SSL_get_extms_support(SSL *ssl) {
    return SSL_get_extms_support(ssl);
}

/// `ERR_GET_REASON`: the reason part of a packed OpenSSL error code.
static inline int CLibSSL_ERR_GET_REASON(unsigned long code) {
    return ERR_GET_REASON(code);
}

/// `EVP_get_digestbynid`: the message digest for a NID, or NULL.
static inline const EVP_MD *CLibSSL_EVP_get_digestbynid(int nid) {
    return EVP_get_digestbynid(nid);
}

/// `sk_GENERAL_NAME_num`: the number of names in a subjectAltName stack.
static inline int CLibSSL_sk_GENERAL_NAME_num(const GENERAL_NAMES *names) {
    return sk_GENERAL_NAME_num(names);
}

/// `sk_GENERAL_NAME_value`: the name at an index of a subjectAltName stack.
static inline GENERAL_NAME *CLibSSL_sk_GENERAL_NAME_value(const GENERAL_NAMES *names, int index) {
    return sk_GENERAL_NAME_value(names, index);
}

#endif
