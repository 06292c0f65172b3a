/* SPDX-License-Identifier: MIT */
/*
 * kgw-wg: kgw's userspace WireGuard engine as a drop-in for `wireguard-go
 * IFACE'. It creates the TUN device and the configuration socket
 * /var/run/wireguard/IFACE.sock, then `wg' and `wg-quick' (with
 * WG_QUICK_USERSPACE_IMPLEMENTATION=kgw-wg) configure it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ev.h>
#include <sodium.h>

#include "daemon.h"
#include "log.h"
#include "sandbox_gw.h"
#include "tun.h"
#include "wg_crypto.h"
#include "wg_engine.h"

#define KGW_WG_DEFAULT_MTU 1420

static const char usage[] =
"Usage: kgw-wg [-f | --foreground] INTERFACE\n"
"\n"
"Runs kgw's userspace WireGuard engine on a new TUN device INTERFACE,\n"
"configured through " KGW_WG_UAPI_DIR "/INTERFACE.sock with the stock `wg'\n"
"tool, or started by wg-quick with WG_QUICK_USERSPACE_IMPLEMENTATION=kgw-wg.\n"
"It goes to the background once the interface and the socket are ready,\n"
"and removes both when it stops (SIGINT or SIGTERM).\n"
"\n"
"Options:\n"
"  -f, --foreground   stay in the foreground, logging to standard error\n"
"  -h, --help         show this help and exit\n"
"      --seccomp=MODE the system call filter: `kill' (default) ends the\n"
"                     process on a call off its list, `log' lets the call\n"
"                     run and logs it to the kernel audit log (dmesg), for\n"
"                     debugging; `off' installs none (valgrind). The\n"
"                     environment variable " KGW_SANDBOX_ENV " sets the default\n"
"  -V, --version      show the version and exit\n"
"\n"
"Environment:\n"
"  WG_PROCESS_FOREGROUND=1   same as --foreground\n"
"  LOG_LEVEL=error|info|debug  how much to log (default: error), as\n"
"                            wireguard-go reads it\n"
"  KGW_WG_OFFLOAD=off        no TUN offloads (TSO, checksums): one packet\n"
"                            per read and write\n"
"\n"
"Exit status: 0 after a clean stop (or, in the background case, once the\n"
"engine is ready), 1 when the interface or the socket cannot be set up,\n"
"2 on a usage error.\n";

enum { OPT_SECCOMP = 256 };

static int parse_args(int argc, char **argv, bool *foreground, const char **ifname,
		      enum kgw_sandbox_mode *seccomp)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "seccomp", required_argument, NULL, OPT_SECCOMP },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("WG_PROCESS_FOREGROUND");
	int c;

	*foreground = env && !strcmp(env, "1");
	if (kgw_sandbox_mode_env(seccomp)) {
		fprintf(stderr, "kgw-wg: %s must be kill, log or off, not `%s'\n", KGW_SANDBOX_ENV,
			getenv(KGW_SANDBOX_ENV));
		return -EINVAL;
	}
	while ((c = getopt_long(argc, argv, "fhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			*foreground = true;
			break;
		case OPT_SECCOMP:
			if (kgw_sandbox_mode_parse(optarg, seccomp)) {
				fprintf(stderr, "kgw-wg: --seccomp must be kill, log or off, not `%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		case 'V':
			printf("kgw-wg %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			fputs("Try `kgw-wg --help' for more information.\n", stderr);
			return -EINVAL;
		}
	}
	if (argc - optind != 1) {
		fputs("kgw-wg: expected exactly one INTERFACE name\n"
		      "Try `kgw-wg --help' for more information.\n", stderr);
		return -EINVAL;
	}
	*ifname = argv[optind];
	return 0;
}

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	kgw_info("%s: signal %d, stopping", (const char *)w->data, w->signum);
	ev_break(loop, EVBREAK_ALL);
}

/* The interface was deleted (`wg-quick down'): stop, removing the socket. */
static void tun_gone_cb(void *owner)
{
	ev_break((struct ev_loop *)owner, EVBREAK_ALL);
}

static enum kgw_log_level env_log_level(void)
{
	const char *l = getenv("LOG_LEVEL");

	if (l && !strcmp(l, "debug"))
		return KGW_LOG_DEBUG;
	if (l && (!strcmp(l, "info") || !strcmp(l, "verbose")))
		return KGW_LOG_INFO;
	return KGW_LOG_ERR;
}

/* KGW_WG_OFFLOAD=off: plain TUN packets, as before offloads (to compare, or to rule them out). */
static bool offload_wanted(void)
{
	const char *v = getenv("KGW_WG_OFFLOAD");

	return !v || strcmp(v, "off");
}

static int run(const char *want_ifname, bool foreground, int ready_fd,
	       enum kgw_sandbox_mode seccomp)
{
	char serr[KGW_SANDBOX_ERR_MAX];
	struct ev_loop *loop = ev_default_loop(EVFLAG_AUTO);
	struct wg_engine_config cfg = { .uapi_dir = KGW_WG_UAPI_DIR };
	struct wg_engine *eng;
	char ifname[IFNAMSIZ];
	ev_signal sigint_w, sigterm_w;
	int fd, ret;

	if (!loop) {
		kgw_err("cannot create the event loop");
		return 1;
	}
	fd = kgw_tun_open(want_ifname, offload_wanted(), ifname, &cfg.tun_features);
	if (fd < 0) {
		kgw_err("%s: cannot create the TUN device: %s", want_ifname, kgw_tun_strerror(fd));
		return 1;
	}
	if ((ret = kgw_tun_set_mtu(ifname, KGW_WG_DEFAULT_MTU)))
		kgw_warn("%s: cannot set the MTU: %s", ifname, strerror(-ret));
	kgw_info("%s: TUN offloads: %s", ifname, cfg.tun_features & KGW_TUN_USO ? "checksum, TSO, USO" :
		 cfg.tun_features & KGW_TUN_TSO ? "checksum, TSO" : "none");
	cfg.ifname = ifname;
	cfg.tun_fd = fd;
	cfg.tun_gone = tun_gone_cb;
	cfg.owner = loop;
	eng = wg_engine_new(loop, &cfg, &ret);
	if (!eng) {
		kgw_err("%s: cannot start the engine: %s", ifname, strerror(-ret));
		return 1;
	}
	ev_signal_init(&sigint_w, stop_cb, SIGINT);
	ev_signal_init(&sigterm_w, stop_cb, SIGTERM);
	sigint_w.data = sigterm_w.data = ifname;
	ev_signal_start(loop, &sigint_w);
	ev_signal_start(loop, &sigterm_w);
	signal(SIGPIPE, SIG_IGN);
	/* The device and its sockets exist: from here on, only the engine's calls. */
	if (kgw_sandbox_apply(&kgw_wg_sandbox_policy, seccomp, serr)) {
		kgw_err("%s", serr);
		wg_engine_free(eng);
		return 1;
	}
	kgw_info("%s: userspace WireGuard engine running", ifname);
	if (!foreground)
		kgw_daemon_ready(ready_fd);
	ev_run(loop, 0);
	/* Closing the TUN descriptor removes the interface; the socket is unlinked. */
	wg_engine_free(eng);
	ev_loop_destroy(loop);
	return 0;
}

int main(int argc, char **argv)
{
	const char *ifname;
	enum kgw_sandbox_mode seccomp;
	bool foreground;
	int ready, ret;

	if (parse_args(argc, argv, &foreground, &ifname, &seccomp))
		return 2;
	kgw_log_open("kgw-wg", env_log_level(), KGW_LOG_TO_STDERR);
	if (sodium_init() < 0 || wg_crypto_init()) {
		kgw_err("cannot initialise the crypto libraries");
		return 1;
	}
	if (geteuid() != 0)
		kgw_warn("not running as root: creating %s needs CAP_NET_ADMIN", ifname);
	if (foreground)
		return run(ifname, true, -1, seccomp);
	ready = kgw_daemon_start();
	if (ready < 0) {
		kgw_err("cannot go to the background: %s", strerror(errno));
		return 1;
	}
	kgw_log_open("kgw-wg", env_log_level(), KGW_LOG_TO_STDERR | KGW_LOG_TO_SYSLOG);
	ret = run(ifname, false, ready, seccomp);
	wg_crypto_exit();
	_exit(ret);
}
