/* SPDX-License-Identifier: MIT */
/*
 * kgwd: the gateway daemon. It owns the tunnel, the routes, the firewall
 * policy and the live peer table; kgw-portal asks it to authorize peers over
 * the control socket.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <systemd/sd-daemon.h>

#include "conf.h"
#include "daemon.h"
#include "kgwd.h"
#include "log.h"
#include "privs.h"
#include "sandbox_gw.h"
#include "store.h"
#include "wg_crypto.h"
#include "wg_kernel.h"

#define KGW_RUN_DIR "/run/kgw"

static const char usage[] =
"Usage: kgwd [OPTION]...\n"
"\n"
"The kgw gateway daemon: terminates WireGuard tunnels for authenticated\n"
"operators, installs their routes and the default-deny policy, and removes\n"
"each peer when its session expires or is revoked.\n"
"\n"
"Options:\n"
"  -c, --config=PATH    configuration file (default " KGW_CONF_DEFAULT_PATH ");\n"
"                       a missing default file means all defaults\n"
"      --check-config   load and validate the configuration, print the\n"
"                       effective settings, and exit\n"
"  -f, --foreground     stay in the foreground and log to standard error\n"
"  -h, --help           show this help and exit\n"
KGW_SANDBOX_HELP
"  -V, --version        show the version and exit\n"
"\n"
"Exit status: 0 on success (or a clean stop), 1 on a configuration error,\n"
"2 on a usage error, 3 when the tunnel or the policy cannot be set up.\n";

enum { OPT_CHECK_CONFIG = 256, OPT_SECCOMP };

struct kgwd_options {
	const char *config_path;
	bool config_given;
	bool check_config;
	bool foreground;
	enum kgw_sandbox_mode seccomp;
};

static int parse_args(int argc, char **argv, struct kgwd_options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "seccomp", required_argument, NULL, OPT_SECCOMP },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->config_path = KGW_CONF_DEFAULT_PATH;
	if (kgw_sandbox_mode_env(&o->seccomp)) {
		fprintf(stderr, "kgwd: %s must be kill, log or off, not `%s'\n", KGW_SANDBOX_ENV,
			getenv(KGW_SANDBOX_ENV));
		return -EINVAL;
	}
	while ((c = getopt_long(argc, argv, "c:fhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config_path = optarg;
			o->config_given = true;
			break;
		case OPT_CHECK_CONFIG:
			o->check_config = true;
			break;
		case 'f':
			o->foreground = true;
			break;
		case OPT_SECCOMP:
			if (kgw_sandbox_mode_parse(optarg, &o->seccomp)) {
				fprintf(stderr, "kgwd: --seccomp must be kill, log or off, not `%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			exit(EXIT_SUCCESS);
		case 'V':
			printf("kgwd %s\n", PACKAGE_VERSION);
			exit(EXIT_SUCCESS);
		default:
			fputs("Try `kgwd --help' for more information.\n", stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kgwd: unexpected argument `%s'\n"
			"Try `kgwd --help' for more information.\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	kgw_info("signal %d, stopping (sessions stay in the store)", w->signum);
	ev_break(loop, EVBREAK_ALL);
}

static struct kgwd_backend *open_backend(struct kgwd *d, const uint8_t key[static WG_KEY_LEN])
{
	int want = d->cfg.backend;

	if (want == KGW_BACKEND_AUTO)
		want = kgw_wg_kernel_available() ? KGW_BACKEND_KERNEL : KGW_BACKEND_USERSPACE;
	if (want == KGW_BACKEND_KERNEL)
		return kgwd_backend_kernel_new(&d->cfg, key);
	return kgwd_backend_userspace_new(d->loop, &d->cfg, key);
}

/* Everything that needs root, in order; then privileges go. */
static int setup(struct kgwd *d)
{
	char err[KGW_STORE_ERR_MAX];
	uint8_t key[WG_KEY_LEN];
	uid_t uid;
	gid_t gid;
	int ret;

	if ((ret = kgw_privs_lookup(d->cfg.user, &uid, &gid)))
		return ret;
	if ((ret = kgw_pool_init(&d->pool, &d->cfg.tunnel_pool, &d->cfg.tunnel_pool6))) {
		kgw_err("the tunnel pool is unusable: %s", strerror(-ret));
		return ret;
	}
	if ((ret = kgw_store_open(d->cfg.database, 0, &d->store, err))) {
		kgw_err("%s (has `kgwctl init' been run?)", err);
		return ret;
	}
	if ((ret = kgw_store_unwritable(d->store)))
		kgw_warn("%s: cannot be written (%s): live sessions are restored, new ones will fail",
			 d->cfg.database, strerror(ret));
	if ((ret = kgwd_read_private_key(d->cfg.private_key_file, key)))
		return ret;
	d->backend = open_backend(d, key);
	sodium_memzero(key, sizeof(key));
	if (!d->backend)
		return -EIO;
	if ((ret = kgwd_net_setup(d)))
		return ret;
	kgwd_sessions_init(&d->sessions, d->loop, d->backend, &d->pool, d->store);
	d->sessions.endpoint = d->cfg.endpoint;
	d->sessions.keepalive = d->cfg.keepalive;
	ret = kgwd_sessions_restore(&d->sessions, (int64_t)time(NULL));
	if (ret < 0)
		kgw_err("cannot restore sessions: %s", kgw_store_error(d->store));
	else
		kgw_info("%d session(s) restored", ret);
	/* No traffic is forwarded before the firewall is in place. */
	if ((ret = kgwd_policy_apply(d)) || (ret = kgwd_net_forwarding()))
		return ret;
	d->sessions.changed = kgwd_policy_changed;
	d->sessions.changed_ctx = d;
	if (mkdir(KGW_RUN_DIR, 0750) && errno != EEXIST)
		kgw_warn("cannot create %s: %s", KGW_RUN_DIR, strerror(errno));
	if (chown(KGW_RUN_DIR, uid, gid))
		kgw_warn("cannot hand %s to %s: %s", KGW_RUN_DIR, d->cfg.user, strerror(errno));
	d->control = kgw_control_new(d->loop, d->cfg.control_socket, gid, kgwd_ctl_handle, d, &ret);
	if (!d->control) {
		kgw_err("cannot listen on %s: %s", d->cfg.control_socket, strerror(-ret));
		return ret;
	}
	if ((ret = kgw_privs_drop(uid, gid)))
		kgw_err("cannot drop privileges to %s: %s", d->cfg.user, strerror(-ret));
	return ret;
}

static void teardown(struct kgwd *d)
{
	kgw_control_free(d->control);
	kgwd_sessions_free(&d->sessions);
	if (d->backend)
		d->backend->ops->free(d->backend);
	kgw_store_close(d->store);
	kgw_pool_free(&d->pool);
	kgwd_policy_free(d);
}

static int run(struct kgwd *d, bool foreground, enum kgw_sandbox_mode seccomp)
{
	char serr[KGW_SANDBOX_ERR_MAX];
	ev_signal sigint_w, sigterm_w;
	int ready = -1, ret;

	if (!foreground && (ready = kgw_daemon_start()) < 0) {
		kgw_err("cannot go to the background: %s", strerror(errno));
		return 3;
	}
	d->loop = ev_default_loop(EVFLAG_AUTO);
	signal(SIGPIPE, SIG_IGN);
	ret = setup(d);
	/* Last, so the list covers only what a running kgwd does. */
	if (!ret && (ret = kgw_sandbox_apply(&kgwd_sandbox_policy, seccomp, serr)))
		kgw_err("%s", serr);
	if (ret) {
		teardown(d);
		return 3;
	}
	ev_signal_init(&sigint_w, stop_cb, SIGINT);
	ev_signal_init(&sigterm_w, stop_cb, SIGTERM);
	ev_signal_start(d->loop, &sigint_w);
	ev_signal_start(d->loop, &sigterm_w);
	kgw_info("ready: %s backend on %s, UDP port %u", d->backend->ops->name, d->backend->ifname,
		 d->backend->listen_port);
	sd_notify(0, "READY=1");
	if (ready >= 0)
		kgw_daemon_ready(ready);
	ev_run(d->loop, 0);
	sd_notify(0, "STOPPING=1");
	teardown(d);
	return 0;
}

int main(int argc, char **argv)
{
	struct kgwd_options opts = { 0 };
	static struct kgwd d;
	char err[KGW_CONF_ERR_MAX];
	int ret;

	if (parse_args(argc, argv, &opts))
		return 2;
	kgw_log_open("kgwd", KGW_LOG_INFO, KGW_LOG_TO_STDERR);
	ret = kgw_config_load(&d.cfg, opts.config_path, opts.config_given, err);
	if (ret && !(ret == -ENOENT && !opts.config_given)) {
		kgw_err("%s", err);
		return 1;
	}
	if (opts.check_config) {
		kgw_config_write(&d.cfg, stdout);
		return 0;
	}
	kgw_log_open("kgwd", d.cfg.log_level, KGW_LOG_TO_STDERR | (d.cfg.syslog ? KGW_LOG_TO_SYSLOG : 0));
	if (sodium_init() < 0 || wg_crypto_init()) {
		kgw_err("cannot initialise the crypto libraries");
		return 3;
	}
	ret = run(&d, opts.foreground, opts.seccomp);
	wg_crypto_exit();
	return ret;
}
