/* SPDX-License-Identifier: MIT */
/*
 * The HTTPS server core in one process: the server on its event loop in
 * the test's thread, a blocking OpenSSL client in another, talking over
 * 127.0.0.1. Keep-alive, pipelining, routing, every deadline, the caps,
 * TLS 1.3 only, and handlers that answer late or after the client left.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "json.h"
#include "server.h"
#include "tls.h"
#include "unit.h"

/* ---- a self-signed certificate for the server ---- */

static char tmpdir[64], cert_path[128], key_path[128];

static void make_cert(void)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	FILE *f;

	ck_assert_ptr_nonnull(pkey);
	ck_assert_ptr_nonnull(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, pkey);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1,
				   -1, 0);
	X509_set_issuer_name(x, name);
	ck_assert_int_gt(X509_sign(x, pkey, EVP_sha256()), 0);
	f = fopen(cert_path, "w");
	ck_assert_ptr_nonnull(f);
	PEM_write_X509(f, x);
	fclose(f);
	f = fopen(key_path, "w");
	ck_assert_ptr_nonnull(f);
	PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(pkey);
}

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/kgw-server-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", tmpdir);
	snprintf(key_path, sizeof(key_path), "%s/key.pem", tmpdir);
	make_cert();
}

static void teardown(void)
{
	unlink(cert_path);
	unlink(key_path);
	rmdir(tmpdir);
}

/* ---- the server side ---- */

struct harness {
	struct ev_loop *loop;
	SSL_CTX *tls;
	struct kgw_server *srv;
	union kgw_sockaddr addr;
	ev_async client_done;		/* the client thread is finished: stop the loop */
	ev_timer later;			/* a late reply for a held connection */
	struct kgw_conn *held;
	double reply_after;
	int late_replies;
	void (*client)(struct harness *h);
};

static struct harness H;

static void reply_json(struct kgw_conn *c, int status, json_t *v)
{
	struct kgw_response *r = kgw_response_new(status);

	ck_assert_int_eq(kgw_response_json(r, v), 0);
	json_decref(v);
	kgw_conn_reply(c, r);
}

static void h_hello(struct kgw_conn *c, const struct kgw_http_request *req, void *ctx)
{
	ck_assert_ptr_eq(ctx, &H);
	reply_json(c, 200, json_pack("{s:s,s:s?}", "hello", "world", "query", req->query));
}

static void h_echo(struct kgw_conn *c, const struct kgw_http_request *req, void *ctx)
{
	(void)ctx;
	reply_json(c, 200, json_pack("{s:s%}", "body", req->body, req->body_len));
}

static void later_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	H.late_replies++;
	reply_json(H.held, 200, json_pack("{s:b}", "late", 1));
	H.held = NULL;
}

/* Holds the connection and answers `reply_after' seconds later. */
static void h_hold(struct kgw_conn *c, const struct kgw_http_request *req, void *ctx)
{
	(void)req;
	(void)ctx;
	H.held = c;
	ev_timer_set(&H.later, H.reply_after, 0.);
	ev_timer_start(H.loop, &H.later);
}

static const struct kgw_route routes[] = {
	{ HTTP_GET, "/hello", h_hello },
	{ HTTP_DELETE, "/hello", h_hello },
	{ HTTP_POST, "/echo", h_echo },
	{ HTTP_GET, "/hold", h_hold },
};

static void client_done_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void start(const struct kgw_server_options *o)
{
	char err[KGW_TLS_ERR_MAX], lerr[KGW_SERVER_ERR_MAX];
	union kgw_sockaddr any;

	memset(&H, 0, sizeof(H));
	H.loop = ev_loop_new(EVFLAG_AUTO);
	H.tls = kgw_tls_server_ctx(cert_path, key_path, err);
	ck_assert_msg(H.tls != NULL, "%s", err);
	H.srv = kgw_server_new(H.loop, H.tls, o, routes, ARRAY_SIZE(routes), &H);
	ck_assert_ptr_nonnull(H.srv);
	memset(&any, 0, sizeof(any));
	any.in.sin_family = AF_INET;
	any.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(kgw_server_listen(H.srv, &any, lerr), 0);
	ck_assert_int_eq(kgw_server_bound(H.srv, 0, &H.addr), 0);
	ck_assert_uint_ne(ntohs(H.addr.in.sin_port), 0);
	ev_async_init(&H.client_done, client_done_cb);
	ev_async_start(H.loop, &H.client_done);
	ev_init(&H.later, later_cb);
	H.reply_after = 0.2;
}

static void *client_main(void *arg)
{
	struct harness *h = arg;

	h->client(h);
	ev_async_send(h->loop, &h->client_done);
	return NULL;
}

/* Runs `client' in a thread while the loop serves it. */
static void run(void (*client)(struct harness *h))
{
	pthread_t t;

	H.client = client;
	ck_assert_int_eq(pthread_create(&t, NULL, client_main, &H), 0);
	ev_run(H.loop, 0);
	pthread_join(t, NULL);
}

static void settle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/* Lets the loop run on its own for a while (late replies, lingering closes). */
static void settle(double seconds)
{
	ev_timer t;

	ev_timer_init(&t, settle_cb, seconds, 0.);
	ev_timer_start(H.loop, &t);
	ev_run(H.loop, 0);
	ev_timer_stop(H.loop, &t);
}

static void stop(void)
{
	kgw_server_free(H.srv);
	ev_timer_stop(H.loop, &H.later);
	ev_async_stop(H.loop, &H.client_done);
	SSL_CTX_free(H.tls);
	ev_loop_destroy(H.loop);
}

static struct kgw_server_options quick(void)
{
	struct kgw_server_options o;

	kgw_server_default_options(&o);
	o.name = "test";
	return o;
}

/* ---- the client side (its own thread; it records, the test asserts) ---- */

struct client {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
};

static bool client_open(struct client *c, int max_version)
{
	struct timeval tv = { 5, 0 };

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, &H.addr.sa, sizeof(H.addr.in)) < 0)
		return false;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	c->ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_max_proto_version(c->ctx, max_version);
	c->ssl = SSL_new(c->ctx);
	SSL_set_fd(c->ssl, c->fd);
	return SSL_connect(c->ssl) == 1;
}

static void client_close(struct client *c)
{
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static bool client_send(struct client *c, const char *data, size_t len)
{
	size_t n;

	return SSL_write_ex(c->ssl, data, len, &n) == 1 && n == len;
}

struct reply {
	int status;
	char head[2048];
	char body[2048];
};

/* One response, read byte by byte: headers, then Content-Length bytes. */
static bool client_reply(struct client *c, struct reply *r)
{
	size_t hlen = 0, blen = 0;
	const char *cl;
	char ch;

	memset(r, 0, sizeof(*r));
	while (hlen < sizeof(r->head) - 1) {
		if (SSL_read(c->ssl, &ch, 1) != 1)
			return false;
		r->head[hlen++] = ch;
		if (hlen >= 4 && !memcmp(r->head + hlen - 4, "\r\n\r\n", 4))
			break;
	}
	if (sscanf(r->head, "HTTP/1.1 %d ", &r->status) != 1)
		return false;
	cl = strstr(r->head, "\r\nContent-Length: ");
	if (cl)
		blen = strtoul(cl + 18, NULL, 10);
	if (blen >= sizeof(r->body))
		return false;
	for (size_t i = 0; i < blen; i++) {
		if (SSL_read(c->ssl, &r->body[i], 1) != 1)
			return false;
	}
	return true;
}

/* The server closed: a read ends (not a time-out). */
static bool client_eof(struct client *c)
{
	char ch;
	int ret;

	errno = 0;
	ret = SSL_read(c->ssl, &ch, 1);
	if (ret > 0)
		return false;
	return errno != EAGAIN && errno != EWOULDBLOCK;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the client threads found, for the test to check. */
static struct {
	bool ok[8];
	struct reply r[4];
	double elapsed;
} got;

#define GET_HELLO "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"

/* ---- tests ---- */

static void c_keepalive(struct harness *h)
{
	struct client c;

	(void)h;
	got.ok[0] = client_open(&c, TLS1_3_VERSION) &&
		    client_send(&c, GET_HELLO, strlen(GET_HELLO)) && client_reply(&c, &got.r[0]) &&
		    client_send(&c, GET_HELLO, strlen(GET_HELLO)) && client_reply(&c, &got.r[1]);
	client_close(&c);
}

START_TEST(test_keepalive)
{
	struct kgw_server_options o = quick();

	start(&o);
	run(c_keepalive);
	ck_assert(got.ok[0]);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(got.r[i].status, 200);
		ck_assert_str_eq(got.r[i].body, "{\"hello\":\"world\",\"query\":null}");
		ck_assert_ptr_nonnull(strstr(got.r[i].head, "\r\nConnection: keep-alive\r\n"));
		ck_assert_ptr_nonnull(strstr(got.r[i].head, "\r\nCache-Control: no-store\r\n"));
		ck_assert_ptr_nonnull(strstr(got.r[i].head,
					     "\r\nContent-Security-Policy: default-src 'none'"));
		ck_assert_ptr_nonnull(strstr(got.r[i].head, "\r\nStrict-Transport-Security: "));
	}
	stop();
}
END_TEST

static void c_pipelined(struct harness *h)
{
	static const char reqs[] = GET_HELLO
		"GET /hello?x=1 HTTP/1.1\r\nHost: t\r\n\r\n"
		"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello";
	struct client c;

	(void)h;
	got.ok[0] = client_open(&c, TLS1_3_VERSION) && client_send(&c, reqs, strlen(reqs)) &&
		    client_reply(&c, &got.r[0]) && client_reply(&c, &got.r[1]) &&
		    client_reply(&c, &got.r[2]);
	client_close(&c);
}

START_TEST(test_pipelined)
{
	struct kgw_server_options o = quick();

	start(&o);
	run(c_pipelined);
	ck_assert(got.ok[0]);
	ck_assert_str_eq(got.r[0].body, "{\"hello\":\"world\",\"query\":null}");
	ck_assert_str_eq(got.r[1].body, "{\"hello\":\"world\",\"query\":\"x=1\"}");
	ck_assert_str_eq(got.r[2].body, "{\"body\":\"hello\"}");
	stop();
}
END_TEST

static void c_routing(struct harness *h)
{
	static const char reqs[] = "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
				   "PUT /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n";
	struct client c;

	(void)h;
	got.ok[0] = client_open(&c, TLS1_3_VERSION) && client_send(&c, reqs, strlen(reqs)) &&
		    client_reply(&c, &got.r[0]) && client_reply(&c, &got.r[1]);
	client_close(&c);
}

START_TEST(test_routing)
{
	struct kgw_server_options o = quick();

	start(&o);
	run(c_routing);
	ck_assert(got.ok[0]);
	ck_assert_int_eq(got.r[0].status, 404);
	ck_assert_str_eq(got.r[0].body, "{\"error\":{\"code\":\"not_found\","
					"\"message\":\"there is nothing at this path\"}}");
	ck_assert_int_eq(got.r[1].status, 405);
	ck_assert_ptr_nonnull(strstr(got.r[1].head, "\r\nAllow: GET, DELETE\r\n"));
	ck_assert_ptr_nonnull(strstr(got.r[1].body, "\"code\":\"method_not_allowed\""));
	stop();
}
END_TEST

static void c_bad_request(struct harness *h)
{
	static const char bad[] = "GET /hello HTTP/1.1\r\n\r\n" GET_HELLO;
	struct client c;

	(void)h;
	got.ok[0] = client_open(&c, TLS1_3_VERSION) && client_send(&c, bad, strlen(bad)) &&
		    client_reply(&c, &got.r[0]);
	got.ok[1] = client_eof(&c);
	client_close(&c);
}

/* A bad request is answered, and nothing after it on that connection is. */
START_TEST(test_bad_request_closes)
{
	struct kgw_server_options o = quick();

	start(&o);
	run(c_bad_request);
	ck_assert(got.ok[0]);
	ck_assert(got.ok[1]);
	ck_assert_int_eq(got.r[0].status, 400);
	ck_assert_ptr_nonnull(strstr(got.r[0].head, "\r\nConnection: close\r\n"));
	ck_assert_ptr_nonnull(strstr(got.r[0].body, "\"code\":\"bad_request\""));
	stop();
}
END_TEST

static void c_hold(struct harness *h)
{
	static const char req[] = "GET /hold HTTP/1.1\r\nHost: t\r\n\r\n";
	double t0 = now();
	struct client c;

	(void)h;
	got.ok[0] = client_open(&c, TLS1_3_VERSION) && client_send(&c, req, strlen(req)) &&
		    client_reply(&c, &got.r[0]);
	got.elapsed = now() - t0;
	got.ok[1] = got.r[0].status == 503 ? client_eof(&c) : true;
	client_close(&c);
}

/* A handler answers later from the loop, as PAM's completions do. */
START_TEST(test_async_reply)
{
	struct kgw_server_options o = quick();

	start(&o);
	run(c_hold);
	ck_assert(got.ok[0]);
	ck_assert_int_eq(got.r[0].status, 200);
	ck_assert_str_eq(got.r[0].body, "{\"late\":true}");
	ck_assert(got.elapsed >= 0.19);
	ck_assert_int_eq(H.late_replies, 1);
	stop();
}
END_TEST

/* Too slow a handler: the client gets a 503; the late reply is dropped safely. */
START_TEST(test_handler_timeout)
{
	struct kgw_server_options o = quick();

	o.handler_timeout = 0.3;
	o.linger_timeout = 0.3;
	start(&o);
	H.reply_after = 1.0;
	run(c_hold);
	ck_assert(got.ok[0]);
	ck_assert_int_eq(got.r[0].status, 503);
	ck_assert_ptr_nonnull(strstr(got.r[0].body, "\"code\":\"timeout\""));
	ck_assert(got.ok[1]);
	/*
	 * The 503 itself shows the timeout came first: the handler's late
	 * reply would have been a 200. The connection is gone by now; the
	 * handler still holds it, then replies.
	 */
	settle(1.0);
	ck_assert_int_eq(H.late_replies, 1);
	ck_assert_uint_eq(kgw_server_conn_count(H.srv), 0);
	stop();
}
END_TEST

static void c_leave_early(struct harness *h)
{
	static const char req[] = "GET /hold HTTP/1.1\r\nHost: t\r\n\r\n";
	struct client c;

	(void)h;
	got.ok[0] = client_open(&c, TLS1_3_VERSION) && client_send(&c, req, strlen(req));
	client_close(&c);
}

/* The client leaves while its handler works; the reply finds it gone. */
START_TEST(test_client_leaves)
{
	struct kgw_server_options o = quick();

	start(&o);
	run(c_leave_early);
	ck_assert(got.ok[0]);
	settle(0.6);
	ck_assert_int_eq(H.late_replies, 1);
	settle(0.3);
	ck_assert_uint_eq(kgw_server_conn_count(H.srv), 0);
	stop();
}
END_TEST

/* The server goes away while a handler holds a connection, which it answers after. */
START_TEST(test_free_with_held_connection)
{
	struct kgw_server_options o = quick();

	start(&o);
	H.reply_after = 0.5;
	run(c_leave_early);
	ck_assert_ptr_nonnull(H.held);
	kgw_server_free(H.srv);
	H.srv = NULL;
	settle(0.8);
	ck_assert_int_eq(H.late_replies, 1);
	ev_async_stop(H.loop, &H.client_done);
	SSL_CTX_free(H.tls);
	ev_loop_destroy(H.loop);
}
END_TEST

static void c_partial(struct harness *h)
{
	static const char part[] = "GET /hello HTTP/1.1\r\nHo";
	double t0 = now();
	struct client c;

	(void)h;
	got.ok[0] = client_open(&c, TLS1_3_VERSION) && client_send(&c, part, strlen(part)) &&
		    client_reply(&c, &got.r[0]);
	got.elapsed = now() - t0;
	got.ok[1] = client_eof(&c);
	client_close(&c);
}

START_TEST(test_request_timeout)
{
	struct kgw_server_options o = quick();

	o.request_timeout = 0.5;
	start(&o);
	run(c_partial);
	ck_assert(got.ok[0]);
	ck_assert(got.ok[1]);
	ck_assert_int_eq(got.r[0].status, 408);
	ck_assert_ptr_nonnull(strstr(got.r[0].body, "\"code\":\"request_timeout\""));
	ck_assert(got.elapsed >= 0.45 && got.elapsed < 2.0);
	stop();
}
END_TEST

static void c_slowloris(struct harness *h)
{
	static const char req[] = "GET /hello HTTP/1.1\r\nHost: t\r\nX-Pad: aaaaaaaaaaaa\r\n\r\n";
	double t0 = now();
	struct client c;
	size_t i;

	(void)h;
	got.ok[0] = client_open(&c, TLS1_3_VERSION);
	/* A byte every 100 ms: always active, never done in time; stop when answered. */
	for (i = 0; got.ok[0] && i < strlen(req) && now() - t0 < 3.0; i++) {
		struct pollfd pfd = { .fd = c.fd, .events = POLLIN };

		if (poll(&pfd, 1, 0) > 0 || !client_send(&c, req + i, 1))
			break;
		usleep(100000);
	}
	got.ok[1] = i < strlen(req);
	got.ok[2] = client_reply(&c, &got.r[0]);
	got.elapsed = now() - t0;
	client_close(&c);
}

START_TEST(test_slowloris)
{
	struct kgw_server_options o = quick();

	o.request_timeout = 1.0;
	start(&o);
	run(c_slowloris);
	ck_assert(got.ok[0]);
	ck_assert(got.ok[1]);
	ck_assert(got.ok[2]);
	ck_assert_int_eq(got.r[0].status, 408);
	ck_assert(got.elapsed < 2.5);
	stop();
}
END_TEST

static void c_idle(struct harness *h)
{
	double t0 = now();
	struct client c;

	(void)h;
	got.ok[0] = client_open(&c, TLS1_3_VERSION);
	got.ok[1] = client_eof(&c);
	got.elapsed = now() - t0;
	client_close(&c);
}

/* Connected and silent: closed at the deadline, with nothing to say. */
START_TEST(test_idle_dropped)
{
	struct kgw_server_options o = quick();

	o.request_timeout = 0.5;
	start(&o);
	run(c_idle);
	ck_assert(got.ok[0]);
	ck_assert(got.ok[1]);
	ck_assert(got.elapsed < 2.0);
	stop();
}
END_TEST

static void c_caps(struct harness *h)
{
	struct client a, b, c, d;

	(void)h;
	got.ok[0] = client_open(&a, TLS1_3_VERSION);
	got.ok[1] = client_open(&b, TLS1_3_VERSION);
	/* The third from this address is closed before its handshake. */
	got.ok[2] = !client_open(&c, TLS1_3_VERSION);
	client_close(&c);
	client_close(&a);
	usleep(200000);
	got.ok[3] = client_open(&d, TLS1_3_VERSION) &&
		    client_send(&d, GET_HELLO, strlen(GET_HELLO)) && client_reply(&d, &got.r[0]);
	client_close(&b);
	client_close(&d);
}

START_TEST(test_per_source_cap)
{
	struct kgw_server_options o = quick();

	o.max_conns_per_source = 2;
	start(&o);
	run(c_caps);
	for (int i = 0; i < 4; i++)
		ck_assert_msg(got.ok[i], "step %d", i);
	ck_assert_int_eq(got.r[0].status, 200);
	stop();
}
END_TEST

START_TEST(test_global_cap)
{
	struct kgw_server_options o = quick();

	o.max_conns = 2;
	start(&o);
	run(c_caps);
	for (int i = 0; i < 4; i++)
		ck_assert_msg(got.ok[i], "step %d", i);
	stop();
}
END_TEST

static void c_tls12(struct harness *h)
{
	struct client c;

	(void)h;
	got.ok[0] = client_open(&c, TLS1_2_VERSION);
	client_close(&c);
}

START_TEST(test_tls12_refused)
{
	struct kgw_server_options o = quick();

	start(&o);
	run(c_tls12);
	ck_assert(!got.ok[0]);
	stop();
}
END_TEST

static void c_big_headers(struct harness *h)
{
	size_t len = 24 * 1024;
	char *req = malloc(len + 64);
	struct client c;

	(void)h;
	strcpy(req, "GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: ");
	memset(req + strlen(req), 'x', len);
	strcpy(req + strlen("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: ") + len, "\r\n\r\n");
	got.ok[0] = client_open(&c, TLS1_3_VERSION) && client_send(&c, req, strlen(req)) &&
		    client_reply(&c, &got.r[0]);
	got.ok[1] = client_eof(&c);
	client_close(&c);
	free(req);
}

/* Sent all at once, the rest still arriving: the 431 reaches the client all the same. */
START_TEST(test_headers_too_large)
{
	struct kgw_server_options o = quick();

	start(&o);
	run(c_big_headers);
	ck_assert(got.ok[0]);
	ck_assert(got.ok[1]);
	ck_assert_int_eq(got.r[0].status, 431);
	ck_assert_ptr_nonnull(strstr(got.r[0].body, "\"code\":\"headers_too_large\""));
	stop();
}
END_TEST

static void c_three(struct harness *h)
{
	struct client c;

	(void)h;
	got.ok[0] = client_open(&c, TLS1_3_VERSION) &&
		    client_send(&c, GET_HELLO GET_HELLO GET_HELLO, 3 * strlen(GET_HELLO)) &&
		    client_reply(&c, &got.r[0]) && client_reply(&c, &got.r[1]);
	got.ok[1] = client_eof(&c);
	client_close(&c);
}

START_TEST(test_max_requests)
{
	struct kgw_server_options o = quick();

	o.max_requests_per_conn = 2;
	start(&o);
	run(c_three);
	ck_assert(got.ok[0]);
	ck_assert(got.ok[1]);
	ck_assert_ptr_nonnull(strstr(got.r[0].head, "\r\nConnection: keep-alive\r\n"));
	ck_assert_ptr_nonnull(strstr(got.r[1].head, "\r\nConnection: close\r\n"));
	stop();
}
END_TEST

START_TEST(test_bad_tls_files)
{
	char err[KGW_TLS_ERR_MAX];

	ck_assert_ptr_null(kgw_tls_server_ctx("/nonexistent/cert.pem", key_path, err));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/cert.pem"));
	ck_assert_ptr_null(kgw_tls_server_ctx(cert_path, cert_path, err));
	ck_assert_ptr_nonnull(strstr(err, "private key"));
}
END_TEST

static Suite *server_suite(void)
{
	Suite *s = suite_create("http_server");
	TCase *tc = tcase_create("server");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_keepalive);
	tcase_add_test(tc, test_pipelined);
	tcase_add_test(tc, test_routing);
	tcase_add_test(tc, test_bad_request_closes);
	tcase_add_test(tc, test_async_reply);
	tcase_add_test(tc, test_handler_timeout);
	tcase_add_test(tc, test_client_leaves);
	tcase_add_test(tc, test_free_with_held_connection);
	tcase_add_test(tc, test_request_timeout);
	tcase_add_test(tc, test_slowloris);
	tcase_add_test(tc, test_idle_dropped);
	tcase_add_test(tc, test_per_source_cap);
	tcase_add_test(tc, test_global_cap);
	tcase_add_test(tc, test_tls12_refused);
	tcase_add_test(tc, test_headers_too_large);
	tcase_add_test(tc, test_max_requests);
	tcase_add_test(tc, test_bad_tls_files);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	kgw_json_init();
	return unit_run(server_suite());
}
