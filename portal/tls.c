/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "tls.h"

const char *kgw_tls_last_error(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (!e)
		snprintf(buf, len, "%s", errno ? strerror(errno) : "no details");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

static int fail(SSL_CTX *ctx, char err[static KGW_TLS_ERR_MAX], const char *what, const char *file)
{
	char why[256];

	snprintf(err, KGW_TLS_ERR_MAX, "%s `%s': %s", what, file,
		 kgw_tls_last_error(why, sizeof(why)));
	SSL_CTX_free(ctx);
	return -1;
}

/* Only HTTP/1.1 is spoken; a client offering just h2 gets no ALPN at all. */
static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		       const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char ours[] = "\x08http/1.1";

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto((unsigned char **)out, outlen, ours, sizeof(ours) - 1, in,
				  inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	return SSL_TLSEXT_ERR_OK;
}

SSL_CTX *kgw_tls_server_ctx(const char *cert_file, const char *key_file,
			    char err[static KGW_TLS_ERR_MAX])
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	ERR_clear_error();
	errno = 0;
	if (!ctx) {
		fail(NULL, err, "cannot create a TLS context for", cert_file);
		return NULL;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION)) {
		fail(ctx, err, "cannot restrict to TLS 1.3 for", cert_file);
		return NULL;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		fail(ctx, err, "cannot load the certificate", cert_file);
		return NULL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
		fail(ctx, err, "cannot load the private key", key_file);
		return NULL;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		fail(ctx, err, "the private key does not match the certificate", key_file);
		return NULL;
	}
	/*
	 * Clients log in once per session; resumption would only add state
	 * (and tickets written after the handshake) for nothing.
	 */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
			 SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
	return ctx;
}

SSL *kgw_tls_new(SSL_CTX *ctx, int fd)
{
	SSL *ssl = SSL_new(ctx);

	if (!ssl)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_accept_state(ssl);
	return ssl;
}

static enum kgw_tls_result result(SSL *ssl, int ret)
{
	switch (SSL_get_error(ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		return KGW_TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return KGW_TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return KGW_TLS_CLOSED;
	case SSL_ERROR_SYSCALL:
		/* EOF without close_notify is a close as far as we care. */
		return ERR_peek_error() == 0 && errno == 0 ? KGW_TLS_CLOSED : KGW_TLS_ERROR;
	default:
		return KGW_TLS_ERROR;
	}
}

enum kgw_tls_result kgw_tls_handshake(SSL *ssl)
{
	int ret;

	ERR_clear_error();
	errno = 0;
	ret = SSL_do_handshake(ssl);
	return ret == 1 ? KGW_TLS_OK : result(ssl, ret);
}

enum kgw_tls_result kgw_tls_read(SSL *ssl, void *buf, size_t len, size_t *n)
{
	int ret;

	*n = 0;
	ERR_clear_error();
	errno = 0;
	ret = SSL_read_ex(ssl, buf, len, n);
	return ret == 1 ? KGW_TLS_OK : result(ssl, ret);
}

enum kgw_tls_result kgw_tls_write(SSL *ssl, const void *buf, size_t len, size_t *n)
{
	int ret;

	*n = 0;
	ERR_clear_error();
	errno = 0;
	ret = SSL_write_ex(ssl, buf, len, n);
	return ret == 1 ? KGW_TLS_OK : result(ssl, ret);
}

void kgw_tls_close(SSL *ssl)
{
	ERR_clear_error();
	/* A failure here changes nothing: the socket is closed right after. */
	if (SSL_is_init_finished(ssl))
		SSL_shutdown(ssl);
	ERR_clear_error();
}
