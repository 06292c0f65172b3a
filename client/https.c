/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "https.h"
#include "log.h"
#include "profile.h"

#define READ_CHUNK 4096

/* Waits for a non-blocking connect(); 0 or -errno. */
static int connect_wait(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int soerr = 0, r;
	socklen_t sl = sizeof(soerr);

	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	do
		r = poll(&pfd, 1, KGWC_CONNECT_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -ETIMEDOUT;
	if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		return -errno;
	return -soerr;
}

static int set_blocking_with_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = KGWC_IO_TIMEOUT_MS / 1000,
			      .tv_usec = (KGWC_IO_TIMEOUT_MS % 1000) * 1000 };
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

/* The first address of the gateway that accepts a TCP connection. */
static int tcp_connect(const struct kgwc_gateway *gw, char err[static KGWC_ERR_MAX])
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_protocol = IPPROTO_TCP };
	struct addrinfo *res = NULL;
	char port[8];
	int fd = -1, ret = -EHOSTUNREACH, g;

	snprintf(port, sizeof(port), "%u", gw->port);
	g = getaddrinfo(gw->host, port, &hints, &res);
	if (g) {
		snprintf(err, KGWC_ERR_MAX, "cannot resolve `%s': %s", gw->host, gai_strerror(g));
		return -EHOSTUNREACH;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			ret = -errno;
			continue;
		}
		ret = connect_wait(fd, ai->ai_addr, ai->ai_addrlen);
		if (!ret)
			ret = set_blocking_with_timeouts(fd);
		if (!ret)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, KGWC_ERR_MAX, "cannot connect to %s: %s", gw->address,
			 ret == -ETIMEDOUT ? "timed out" : strerror(-ret));
		return ret == -ETIMEDOUT ? ret : -EHOSTUNREACH;
	}
	return fd;
}

/* OpenSSL's reason for the last failure, for an operator. */
static void tls_reason(char *out, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (e)
		ERR_error_string_n(e, out, len);
	else
		snprintf(out, len, "%s", errno ? strerror(errno) : "connection closed");
	ERR_clear_error();
}

static bool host_is_ip(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static SSL *tls_start(SSL_CTX *ctx, int fd, const struct kgwc_gateway *gw, char err[static KGWC_ERR_MAX])
{
	char why[256];
	SSL *ssl = SSL_new(ctx);

	if (!ssl || !SSL_set_fd(ssl, fd) ||
	    (!host_is_ip(gw->host) && !SSL_set_tlsext_host_name(ssl, gw->host))) {
		snprintf(err, KGWC_ERR_MAX, "cannot set up TLS");
		SSL_free(ssl);
		return NULL;
	}
	errno = 0;
	if (SSL_connect(ssl) != 1) {
		tls_reason(why, sizeof(why));
		snprintf(err, KGWC_ERR_MAX, "TLS handshake with %s failed: %.150s (the gateway must "
			 "speak TLS 1.3)", gw->address, why);
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

static int check_pin(SSL *ssl, const struct kgwc_gateway *gw, char err[static KGWC_ERR_MAX])
{
	X509 *cert = SSL_get0_peer_certificate(ssl);
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char want[KGWC_PIN_HEX_MAX], got[KGWC_PIN_HEX_MAX];

	if (!cert || !X509_digest(cert, EVP_sha256(), md, &mdlen) || mdlen != KGWC_PIN_LEN) {
		snprintf(err, KGWC_ERR_MAX, "%s presented no certificate", gw->address);
		return -EKEYREJECTED;
	}
	if (CRYPTO_memcmp(md, gw->pin, KGWC_PIN_LEN)) {
		snprintf(err, KGWC_ERR_MAX, "the certificate of %s does not match the pin: "
			 "possible interception; nothing was sent\n"
			 "  pinned:    %s\n  presented: %s", gw->address,
			 kgwc_pin_format(gw->pin, want), kgwc_pin_format(md, got));
		return -EKEYREJECTED;
	}
	return 0;
}

/* The request head and body in one buffer (it may hold a password: wiped by the caller). */
static char *build_request(const struct kgwc_gateway *gw, const struct kgwc_https_request *req,
			   size_t *len)
{
	size_t cap = 1024 + strlen(req->path) + (req->token ? strlen(req->token) : 0) + req->body_len;
	char *buf = malloc(cap);
	int n;

	if (!buf)
		return NULL;
	n = snprintf(buf, cap, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: kgw-client/%s\r\n"
		     "Accept: application/json\r\nConnection: close\r\n%s%s%s",
		     req->method, req->path, gw->address, PACKAGE_VERSION,
		     req->token ? "Authorization: Bearer " : "", req->token ? req->token : "",
		     req->token ? "\r\n" : "");
	if (n > 0 && (size_t)n < cap && req->body)
		n += snprintf(buf + n, cap - (size_t)n,
			      "Content-Type: application/json\r\nContent-Length: %zu\r\n", req->body_len);
	if (n > 0 && (size_t)n + 2 + req->body_len < cap) {
		memcpy(buf + n, "\r\n", 2);
		if (req->body_len)
			memcpy(buf + n + 2, req->body, req->body_len);
		*len = (size_t)n + 2 + req->body_len;
		return buf;
	}
	sodium_memzero(buf, cap);
	free(buf);
	return NULL;
}

static int send_all(SSL *ssl, const char *buf, size_t len, char err[static KGWC_ERR_MAX])
{
	char why[256];
	size_t done = 0;

	while (done < len) {
		size_t n;

		errno = 0;
		if (SSL_write_ex(ssl, buf + done, len - done, &n) != 1) {
			tls_reason(why, sizeof(why));
			snprintf(err, KGWC_ERR_MAX, "sending the request failed: %s",
				 errno == EAGAIN ? "timed out" : why);
			return errno == EAGAIN ? -ETIMEDOUT : -EPROTO;
		}
		done += n;
	}
	return 0;
}

static int receive(SSL *ssl, struct kgwc_http_response *resp, char err[static KGWC_ERR_MAX])
{
	char buf[READ_CHUNK], why[256];
	int ret = 0;

	while (ret == 0) {
		size_t n = 0;

		errno = 0;
		if (SSL_read_ex(ssl, buf, sizeof(buf), &n) != 1) {
			int e = SSL_get_error(ssl, 0);

			/* A clean close, or a peer that just closes the TCP connection. */
			if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno == 0)) {
				ERR_clear_error();
				n = 0;
			} else {
				tls_reason(why, sizeof(why));
				snprintf(err, KGWC_ERR_MAX, "reading the answer failed: %s",
					 errno == EAGAIN ? "timed out" : why);
				return errno == EAGAIN ? -ETIMEDOUT : -EPROTO;
			}
		}
		ret = kgwc_http_response_feed(resp, buf, n);
	}
	if (ret < 0)
		snprintf(err, KGWC_ERR_MAX, "the gateway's answer is not %s",
			 ret == -EMSGSIZE ? "of a sane size" : "a valid HTTP response");
	return ret < 0 ? ret : 0;
}

int kgwc_https(const struct kgwc_gateway *gw, const struct kgwc_https_request *req,
	       struct kgwc_http_response *resp, char err[static KGWC_ERR_MAX])
{
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	char *wire = NULL;
	size_t wire_len = 0;
	int fd, ret;

	kgwc_http_response_init(resp);
	err[0] = '\0';
	fd = tcp_connect(gw, err);
	if (fd < 0)
		return fd;
	ret = -EPROTO;
	ctx = SSL_CTX_new(TLS_client_method());
	/* No CA verification: the pin below is the whole trust decision. */
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION)) {
		snprintf(err, KGWC_ERR_MAX, "cannot set up TLS");
		goto out;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	ssl = tls_start(ctx, fd, gw, err);
	if (!ssl)
		goto out;
	if ((ret = check_pin(ssl, gw, err)))
		goto out;
	wire = build_request(gw, req, &wire_len);
	if (!wire) {
		ret = -ENOMEM;
		snprintf(err, KGWC_ERR_MAX, "out of memory");
		goto out;
	}
	ret = send_all(ssl, wire, wire_len, err);
	if (!ret)
		ret = receive(ssl, resp, err);
out:
	if (wire) {
		sodium_memzero(wire, wire_len);
		free(wire);
	}
	if (ssl) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	SSL_CTX_free(ctx);
	close(fd);
	return ret;
}
