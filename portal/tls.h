/* SPDX-License-Identifier: MIT */
/*
 * TLS 1.3 for the portal's listeners: the server context, and the
 * non-blocking handshake, read, write and close on one connection, each
 * saying which readiness (read or write) it waits for. OpenSSL may need
 * to read during a write and to write during a read, so the caller waits
 * for what the last call asked, not for what it was doing.
 */
#ifndef KGW_TLS_H
#define KGW_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

#define KGW_TLS_ERR_MAX 512

enum kgw_tls_result {
	KGW_TLS_OK,
	KGW_TLS_WANT_READ,
	KGW_TLS_WANT_WRITE,
	KGW_TLS_CLOSED,			/* the peer closed (close_notify or EOF) */
	KGW_TLS_ERROR,			/* protocol or socket error: drop the connection */
};

/*
 * TLS 1.3 only, certificate chain and key from PEM files, no session
 * resumption, ALPN "http/1.1". On error NULL and a reason naming the file.
 */
SSL_CTX *kgw_tls_server_ctx(const char *cert_file, const char *key_file,
			    char err[static KGW_TLS_ERR_MAX]) __attribute__((warn_unused_result));

/* A server connection on a non-blocking socket; NULL when out of memory. */
SSL *kgw_tls_new(SSL_CTX *ctx, int fd) __attribute__((warn_unused_result));

enum kgw_tls_result kgw_tls_handshake(SSL *ssl);
/* OK with *n > 0 bytes; never OK with 0. */
enum kgw_tls_result kgw_tls_read(SSL *ssl, void *buf, size_t len, size_t *n);
/* OK with *n > 0 bytes written (partial writes are on). */
enum kgw_tls_result kgw_tls_write(SSL *ssl, const void *buf, size_t len, size_t *n);
/* Sends close_notify once, without waiting for the peer's. */
void kgw_tls_close(SSL *ssl);

/* The last error on this thread, for a debug log line. */
const char *kgw_tls_last_error(char *buf, size_t len);

#endif
