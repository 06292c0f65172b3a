/* SPDX-License-Identifier: MIT */
/*
 * kgw-client connect: log in, bring the tunnel up, and keep it until
 * disconnect, a signal, or the session's expiry.
 *
 * Everything that can fail for a reason the operator should see happens
 * before the process goes to the background, and the background process
 * reports over a pipe whether the tunnel came up, so the exit status of
 * `connect' says which step failed. A tunnel that cannot be set up ends
 * the session at the gateway again: no peer is left authorised for a key
 * nobody holds.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <cap-ng.h>
#include <ev.h>
#include <sodium.h>

#include "api.h"
#include "conf.h"
#include "ended.h"
#include "format.h"
#include "log.h"
#include "profile.h"
#include "prompt.h"
#include "state.h"
#include "tunnel.h"
#include "wg_crypto.h"

static const char usage[] =
"Usage: kgw-client connect [--profile NAME|PATH] [--password-stdin] [--otp CODE]\n"
"                          [--ttl DURATION] [--foreground]\n"
"                          [--backend auto|kernel|userspace]\n"
"\n"
"Logs in to the gateway of the profile (password, then the verification code\n"
"from the authenticator app), with a key pair made for this session alone,\n"
"and brings up the tunnel: kernel WireGuard when the kernel has it, else\n"
"kgw's userspace engine. Only the Kubernetes API addresses the gateway allows\n"
"are routed through it. The tunnel stays up in the background until\n"
"`kgw-client disconnect' or the session's expiry. Needs root (CAP_NET_ADMIN).\n"
"\n"
"Options:\n"
"  -p, --profile NAME|PATH  which profile (default `" KGWC_DEFAULT_PROFILE "')\n"
"      --password-stdin     read the password from the first line of standard\n"
"                           input, and the code from the second unless --otp\n"
"      --otp CODE           the verification code\n"
"      --ttl DURATION       ask for a session shorter than the gateway's maximum\n"
"                           (seconds, or with s, m, h or d: 15m, 2h)\n"
"  -f, --foreground         stay attached; Ctrl-C ends the session\n"
"      --backend WHICH      auto (default), kernel or userspace\n"
"  -h, --help\n"
"\n"
"Exit status: 0 connected, 1 error (or already connected), 2 usage error,\n"
"3 login refused, 4 throttled (the wait is printed), 5 gateway unreachable,\n"
"TLS failure or certificate pin mismatch, 6 the tunnel could not be set up.\n";

enum { OPT_PASSWORD_STDIN = 256, OPT_OTP, OPT_BACKEND, OPT_TTL };

struct connect_opts {
	const char *profile;
	const char *otp;
	bool password_stdin, foreground;
	enum kgwc_backend backend;
	unsigned long ttl;	/* 0: the gateway's default */
};

static int parse(int argc, char **argv, struct connect_opts *o)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
		{ "otp", required_argument, NULL, OPT_OTP },
		{ "foreground", no_argument, NULL, 'f' },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "ttl", required_argument, NULL, OPT_TTL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *why;
	int c;

	while ((c = getopt_long(argc, argv, "p:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': o->profile = optarg; break;
		case OPT_PASSWORD_STDIN: o->password_stdin = true; break;
		case OPT_OTP: o->otp = optarg; break;
		case 'f': o->foreground = true; break;
		case OPT_BACKEND:
			if (kgwc_backend_parse(optarg, &o->backend)) {
				fprintf(stderr, "kgw-client connect: --backend is auto, kernel or userspace\n");
				return -1;
			}
			break;
		case OPT_TTL:
			if ((why = kgw_parse_duration(optarg, KGWC_TTL_MIN, KGWC_TTL_MAX, &o->ttl))) {
				fprintf(stderr, "kgw-client connect: --ttl `%s' %s (%d s to %d days)\n",
					optarg, why, KGWC_TTL_MIN, KGWC_TTL_MAX / 86400);
				return -1;
			}
			break;
		case 'h': fputs(usage, stdout); return 1;
		default: return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "kgw-client connect: unexpected argument `%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

/* Everything the tunnel process needs; the private key is secret. */
struct run {
	struct kgwc_state st;		/* secret: holds the token */
	json_t *session_json;
	uint8_t *private_key;		/* sodium_malloc, wiped once the tunnel has it */
	bool foreground;
	bool expired;
	struct ev_loop *loop;
};

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void expiry_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
	struct run *r = w->data;

	(void)revents;
	r->expired = true;
	ev_break(loop, EVBREAK_ALL);
}

/* The background process's report to the waiting parent: exit code, backend. */
static void report(int fd, int code, enum kgwc_backend b)
{
	unsigned char msg[2] = { (unsigned char)code, (unsigned char)b };

	if (fd >= 0 && write(fd, msg, sizeof(msg)) != sizeof(msg))
		kgw_err("cannot report to the waiting command");
}

static void detach(int ready_fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	close(ready_fd);
	setsid();
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	kgw_log_set_sink(NULL, NULL);
	kgw_log_open("kgw-client", KGW_LOG_NOTICE, KGW_LOG_TO_SYSLOG);
}

static void print_connected(const struct kgwc_state *st)
{
	const struct kgwc_session *s = &st->session;
	char a[KGW_ADDR_STR_MAX], d[KGWC_FORMAT_MAX];
	time_t now = time(NULL);

	printf("Connected as %s: %s on %s (%s), routing", s->user, kgw_cidr_format(&s->address, a),
	       st->interface, kgwc_backend_name(st->backend));
	for (size_t i = 0; i < s->n_routes; i++)
		printf("%s %s", i ? "," : "", kgw_cidr_format(&s->routes[i], a));
	printf("%s.\nThe session ends in %s.\n", s->n_routes ? "" : " nothing",
	       kgwc_format_duration(s->expires > now ? (uint64_t)(s->expires - now) : 0, d));
	fflush(stdout);
}

/* Runs the tunnel until stopped. ready_fd < 0: in the foreground. */
static int run_tunnel(struct run *r, int ready_fd)
{
	struct kgwc_tunnel_config tc = {
		.ifname = r->st.interface, .backend = r->st.backend,
		.private_key = r->private_key, .session = &r->st.session,
	};
	struct kgwc_tunnel *t = NULL;
	ev_signal sigint_w, sigterm_w, sighup_w;
	ev_periodic expiry_w;
	char err[KGWC_ERR_MAX];
	int code;

	r->loop = ev_default_loop(EVFLAG_AUTO);
	if (!r->loop || wg_crypto_init()) {
		kgw_err("cannot set up the event loop or the crypto library");
		code = KGWC_EXIT_TUNNEL;
		goto fail;
	}
	if (kgw_sockaddr_parse(r->st.endpoint, &tc.endpoint)) {
		kgw_err("bad endpoint `%s'", r->st.endpoint);
		code = KGWC_EXIT_TUNNEL;
		goto fail;
	}
	code = kgwc_tunnel_up(r->loop, &tc, &t, err) ? KGWC_EXIT_TUNNEL : KGWC_EXIT_OK;
	sodium_memzero(r->private_key, WG_KEY_LEN);
	if (code) {
		kgw_err("%s", err);
		goto fail;
	}
	r->st.backend = kgwc_tunnel_backend(t);
	r->st.pid = getpid();
	/* So that status and disconnect know it, whatever the file was called. */
	prctl(PR_SET_NAME, KGWC_PROCESS_NAME, 0, 0, 0);
	if (kgwc_state_save(&r->st, r->session_json, err)) {
		kgw_err("%s", err);
		code = KGWC_EXIT_ERROR;
		goto fail;
	}
	kgwc_ended_clear(r->st.profile);
	ev_signal_init(&sigint_w, stop_cb, SIGINT);
	ev_signal_init(&sigterm_w, stop_cb, SIGTERM);
	ev_signal_init(&sighup_w, stop_cb, SIGHUP);
	ev_signal_start(r->loop, &sigint_w);
	ev_signal_start(r->loop, &sigterm_w);
	if (r->foreground)
		ev_signal_start(r->loop, &sighup_w);
	ev_periodic_init(&expiry_w, expiry_cb, (ev_tstamp)r->st.session.expires, 0, NULL);
	expiry_w.data = r;
	ev_periodic_start(r->loop, &expiry_w);
	signal(SIGPIPE, SIG_IGN);
	if (r->foreground) {
		print_connected(&r->st);
		printf("Press Ctrl-C to disconnect.\n");
		fflush(stdout);
	} else {
		report(ready_fd, KGWC_EXIT_OK, r->st.backend);
		detach(ready_fd);
	}
	kgw_notice("%s: tunnel up for %s (session %s)", r->st.interface, r->st.session.user, r->st.session.id);
	ev_run(r->loop, 0);

	kgwc_tunnel_down(t);
	kgwc_state_remove(r->st.profile);
	if (r->expired && kgwc_ended_note(r->st.profile, &r->st.session))
		kgw_warn("cannot record that the session expired");
	kgw_notice("%s: tunnel down (%s)", r->st.interface,
		   r->expired ? "the session expired" : "stopped");
	/* In the foreground Ctrl-C is the disconnect; in the background `disconnect' ended it. */
	if (r->foreground && !r->expired) {
		code = kgwc_api_close(&r->st.gw, r->st.session.token, err);
		if (code && code != KGWC_EXIT_NOT_CONNECTED)
			kgw_warn("could not end the session at the gateway (it expires by itself): %s", err);
		else
			printf("Disconnected.\n");
	}
	return KGWC_EXIT_OK;
fail:
	kgwc_tunnel_down(t);
	report(ready_fd, code, KGWC_BACKEND_AUTO);
	return code;
}

/* Forks; the parent waits for the tunnel process's report. */
static int go_background(struct run *r)
{
	unsigned char msg[2] = { KGWC_EXIT_TUNNEL, 0 };
	int fds[2];
	pid_t pid;
	ssize_t n;

	fflush(NULL);
	if (pipe2(fds, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		kgw_err("cannot go to the background: %s", strerror(errno));
		return KGWC_EXIT_TUNNEL;
	}
	if (pid == 0) {
		close(fds[0]);
		_exit(run_tunnel(r, fds[1]));
	}
	close(fds[1]);
	sodium_memzero(r->private_key, WG_KEY_LEN);
	do
		n = read(fds[0], msg, sizeof(msg));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n != sizeof(msg)) {
		kgw_err("the tunnel process died while setting up");
		return KGWC_EXIT_TUNNEL;
	}
	if (msg[0] == KGWC_EXIT_OK) {
		r->st.backend = (enum kgwc_backend)msg[1];
		r->st.pid = pid;
		print_connected(&r->st);
	}
	return msg[0];
}

/* A resolved, numeric endpoint: the tunnel never does DNS. */
static int resolve_endpoint(const char *hostport, char out[static KGWC_ADDRESS_MAX + 1])
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res = NULL;
	char host[KGWC_HOST_MAX + 1], port[8];
	union kgw_sockaddr sa;
	char buf[KGW_ADDR_STR_MAX];
	uint16_t p;
	int g;

	if (kgwc_address_parse(hostport, host, &p))
		return -EINVAL;
	snprintf(port, sizeof(port), "%u", p);
	g = getaddrinfo(host, port, &hints, &res);
	if (g) {
		kgw_err("cannot resolve the gateway's WireGuard endpoint `%s': %s", hostport, gai_strerror(g));
		return -EHOSTUNREACH;
	}
	memset(&sa, 0, sizeof(sa));
	memcpy(&sa, res->ai_addr, res->ai_addrlen < sizeof(sa) ? res->ai_addrlen : sizeof(sa));
	freeaddrinfo(res);
	snprintf(out, KGWC_ADDRESS_MAX + 1, "%s", kgw_sockaddr_format(&sa, buf));
	return 0;
}

/* A leftover state: still live means refuse; a dead tunnel's session is ended first. */
static int check_previous(const struct kgwc_profile_ref *ref)
{
	struct kgwc_state old;
	char err[KGWC_ERR_MAX];
	int ret = kgwc_state_load(ref->name, &old, err);

	if (ret == -ENOENT)
		return 0;
	if (ret) {
		kgw_err("%s", err);
		return KGWC_EXIT_ERROR;
	}
	if (kgwc_state_alive(&old)) {
		kgw_err("profile `%s' is connected already (see `kgw-client status'; "
			"`kgw-client disconnect' ends it)", ref->name);
		kgwc_state_wipe(&old);
		return KGWC_EXIT_ERROR;
	}
	kgw_warn("the tunnel of the previous session is gone; ending that session at the gateway");
	if (kgwc_api_close(&old.gw, old.session.token, err) > KGWC_EXIT_NOT_CONNECTED)
		kgw_warn("%s", err);
	kgwc_state_remove(ref->name);
	kgwc_state_wipe(&old);
	return 0;
}

static bool may_admin_network(void)
{
	capng_get_caps_process();
	return capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN);
}

/* Before asking for any secret: whatever would make the tunnel fail anyway. */
static int preflight(const struct kgwc_profile_ref *ref, const struct kgwc_profile *p)
{
	int ret;

	if (!may_admin_network()) {
		kgw_err("bringing up a tunnel needs root (CAP_NET_ADMIN)");
		return KGWC_EXIT_TUNNEL;
	}
	if ((ret = check_previous(ref)))
		return ret;
	if (kgwc_tunnel_link_exists(p->interface)) {
		kgw_err("%s: the interface exists already (another session, or pick another `interface' "
			"in the profile)", p->interface);
		return KGWC_EXIT_TUNNEL;
	}
	return 0;
}

/* Password and code in, a session (JSON and parsed) and a private key out. */
static int login(const struct connect_opts *o, const struct kgwc_profile *p, struct run *r)
{
	struct kgwc_secrets sec = { 0 };
	struct kgwc_login l = { .user = p->user, .ttl = o->ttl };
	char err[KGWC_ERR_MAX];
	int code;

	if (kgwc_secrets_read(&sec, p->user, p->gw.address, o->password_stdin, o->otp, err)) {
		kgwc_secrets_free(&sec);
		kgw_err("%s", err);
		return KGWC_EXIT_USAGE;
	}
	/* A fresh key pair for every session (DESIGN.md, the connect sequence, 2). */
	randombytes_buf(r->private_key, WG_KEY_LEN);
	wg_crypto_clamp(r->private_key);
	wg_crypto_public_key(l.public_key, r->private_key);
	l.password = sec.password;
	l.otp = sec.otp;
	code = kgwc_api_open(&p->gw, &l, &r->session_json, err);
	kgwc_secrets_free(&sec);
	if (code) {
		kgw_err("%s", err);
		return code;
	}
	if (kgwc_session_parse(r->session_json, &r->st.session, err)) {
		kgw_err("the gateway's session is unusable: %s", err);
		return KGWC_EXIT_ERROR;
	}
	if (sodium_memcmp(r->st.session.public_key, l.public_key, WG_KEY_LEN) || !r->st.session.token[0]) {
		kgw_err("the gateway's session is not for this key, or has no token");
		return KGWC_EXIT_ERROR;
	}
	return 0;
}

/* After login failed part-way: the gateway must not keep a session for us. */
static void abandon(struct run *r)
{
	char err[KGWC_ERR_MAX];
	const char *token = json_string_value(json_object_get(r->session_json, "token"));

	if (!token || !*token)
		return;
	if (kgwc_api_close(&r->st.gw, token, err) > KGWC_EXIT_NOT_CONNECTED)
		kgw_warn("could not end the session at the gateway (it expires by itself): %s", err);
}

static void run_free(struct run *r)
{
	json_t *tok = json_object_get(r->session_json, "token");

	if (json_is_string(tok))
		sodium_memzero((char *)json_string_value(tok), json_string_length(tok));
	json_decref(r->session_json);
	sodium_free(r->private_key);
	kgwc_state_wipe(&r->st);
}

int kgwc_cmd_connect(int argc, char **argv)
{
	struct connect_opts o = { 0 };
	struct kgwc_profile_ref ref;
	struct kgwc_profile p;
	struct run r = { 0 };
	char err[KGWC_ERR_MAX], ep[KGWC_ADDRESS_MAX + 1] = "";
	int code = parse(argc, argv, &o);

	if (code)
		return code > 0 ? KGWC_EXIT_OK : kgwc_usage_error("connect");
	if (kgwc_profile_resolve(o.profile, &ref, err)) {
		kgw_err("%s", err);
		return KGWC_EXIT_USAGE;
	}
	if (kgwc_profile_load(ref.path, &p, err)) {
		kgw_err("%s", err);
		return KGWC_EXIT_ERROR;
	}
	if ((code = preflight(&ref, &p)))
		return code;
	r.private_key = sodium_malloc(WG_KEY_LEN);
	if (!r.private_key) {
		kgw_err("out of memory");
		return KGWC_EXIT_ERROR;
	}
	r.foreground = o.foreground;
	snprintf(r.st.profile, sizeof(r.st.profile), "%s", ref.name);
	r.st.gw = p.gw;
	snprintf(r.st.interface, sizeof(r.st.interface), "%s", p.interface);
	r.st.backend = o.backend;
	code = login(&o, &p, &r);
	if (!code && (kgwc_session_endpoint(&r.st.session, &p.gw, ep) || resolve_endpoint(ep, r.st.endpoint))) {
		kgw_err("the gateway's WireGuard endpoint `%s' is unusable",
			ep[0] ? ep : r.st.session.endpoint);
		code = KGWC_EXIT_TUNNEL;
	}
	if (!code)
		code = o.foreground ? run_tunnel(&r, -1) : go_background(&r);
	if (code)
		abandon(&r);
	run_free(&r);
	return code;
}
