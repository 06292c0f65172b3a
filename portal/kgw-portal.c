/* SPDX-License-Identifier: MIT */
/*
 * kgw-portal: the HTTPS front of the gateway. It serves the client session
 * API on the public auth port, runs PAM on worker threads, and (later) the
 * admin UI on the management address. It runs as the unprivileged kgw user.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <ev.h>

#include "audit.h"
#include "backend_kgwd.h"
#include "conf.h"
#include "json.h"
#include "log.h"
#include "store.h"
#include "store_audit.h"
#include "portal.h"
#include "privs.h"
#include "sandbox_portal.h"

static const char usage[] =
"Usage: kgw-portal [OPTION]...\n"
"\n"
"The kgw portal: serves the client session API over HTTPS (TLS 1.3) on the\n"
"auth port, checks logins with PAM on worker threads, and asks kgwd to open\n"
"each session. It also serves the admin web UI on the management address\n"
"(admin_listen). Started as root, it runs as the configured user once its\n"
"certificate is loaded and its port is bound.\n"
"\n"
"Options:\n"
"  -c, --config=PATH    configuration file (default " KGW_CONF_DEFAULT_PATH ");\n"
"                       a missing default file means all defaults\n"
"      --check-config   load and validate the configuration, print the\n"
"                       effective settings, and exit\n"
"      --data-dir=DIR   the admin UI's templates and style sheet (default:\n"
"                       admin_data_dir, else " KGW_ADMIN_DATA_DIR ")\n"
"  -f, --foreground     log to standard error (as well as syslog when the\n"
"                       configuration asks for it)\n"
"  -h, --help           show this help and exit\n"
KGW_SANDBOX_HELP
"  -V, --version        show the version and exit\n"
"\n"
"Exit status: 0 on a clean stop, 1 on a configuration error, 2 on a usage\n"
"error, 3 when the service cannot start (certificate, address, user, PAM).\n";

enum { OPT_CHECK_CONFIG = 256, OPT_SECCOMP, OPT_DATA_DIR };

struct options {
	const char *config_path;
	const char *data_dir;
	bool config_given;
	bool check_config;
	bool foreground;
	enum kgw_sandbox_mode seccomp;
};

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
		{ "data-dir", required_argument, NULL, OPT_DATA_DIR },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "seccomp", required_argument, NULL, OPT_SECCOMP },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->config_path = KGW_CONF_DEFAULT_PATH;
	if (kgw_sandbox_mode_env(&o->seccomp)) {
		fprintf(stderr, "kgw-portal: %s must be kill, log or off, not `%s'\n",
			KGW_SANDBOX_ENV, getenv(KGW_SANDBOX_ENV));
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
		case OPT_DATA_DIR:
			o->data_dir = optarg;
			break;
		case 'f':
			o->foreground = true;
			break;
		case OPT_SECCOMP:
			if (kgw_sandbox_mode_parse(optarg, &o->seccomp)) {
				fprintf(stderr, "kgw-portal: --seccomp must be kill, log or off, not `%s'\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			exit(EXIT_SUCCESS);
		case 'V':
			printf("kgw-portal %s\n", PACKAGE_VERSION);
			exit(EXIT_SUCCESS);
		default:
			fputs("Try `kgw-portal --help' for more information.\n", stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kgw-portal: unexpected argument `%s'\n"
			"Try `kgw-portal --help' for more information.\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	kgw_notice("signal %d: stopping", w->signum);
	ev_break(loop, EVBREAK_ALL);
}

/* Every session request's outcome also goes to the store's audit log. */
static void audit_to_store(void *ctx, const struct kgw_audit_record *rec)
{
	char event[64];

	snprintf(event, sizeof(event), "%s.%s", rec->action, rec->outcome);
	if (kgw_store_audit(ctx, (int64_t)time(NULL), rec->actor ? rec->actor : "portal", event, rec->user ? rec->user : "",
			    rec->source ? rec->source : "", rec->detail ? rec->detail : ""))
		kgw_err("audit: cannot write to the store: %s", kgw_store_error(ctx));
}

static int serve(const struct kgw_config *cfg, enum kgw_sandbox_mode seccomp, const char *data_dir)
{
	char sberr[KGW_SANDBOX_ERR_MAX];
	/* Not the default loop: that one would reap the children PAM modules wait for. */
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct kgw_portal_options o = { 0 };
	char serr[KGW_STORE_ERR_MAX];
	struct kgw_store *store = NULL;
	char err[KGW_PORTAL_ERR_MAX], perr[KGW_PRIVS_ERR_MAX], addr[KGW_ADDR_STR_MAX];
	struct kgw_portal *portal = NULL;
	ev_signal sigint, sigterm;
	int ret = 3, werr;

	if (!loop) {
		kgw_err("cannot create the event loop");
		return 3;
	}
	/* Opened before the privilege drop; the database belongs to the kgw user anyway. */
	if (kgw_store_open(cfg->database, 0, &store, serr)) {
		kgw_err("%s (has `kgwctl init' been run?)", serr);
		goto out;
	}
	if ((werr = kgw_store_unwritable(store)))
		kgw_warn("%s: cannot be written (%s): logins will fail until it can", cfg->database,
			 strerror(werr));
	kgw_audit_set_sink(audit_to_store, store);
	o.backend = kgw_backend_kgwd_new(loop, cfg, store);
	if (!o.backend) {
		kgw_err("out of memory");
		goto out;
	}
	o.store = store;
	o.admin_data_dir = data_dir;
	o.kgwd_call = kgw_backend_kgwd_call;
	o.kgwd_ctx = (void *)o.backend;
	portal = kgw_portal_new(loop, cfg, &o, err);
	if (!portal) {
		kgw_err("%s", err);
		goto out;
	}
	/*
	 * After the key is read and the port bound. The PAM workers exist
	 * already; glibc applies set*id() to every thread of the process.
	 */
	if (kgw_portal_drop_privileges(cfg->user, perr)) {
		kgw_err("%s", perr);
		goto out;
	}
	/*
	 * After the drop: the filter sets no_new_privs, which an unprivileged
	 * process needs for seccomp (and the unit sets anyway).
	 */
	if (kgw_sandbox_apply(&kgw_portal_sandbox_policy, seccomp, sberr)) {
		kgw_err("%s", sberr);
		goto out;
	}
	ev_signal_init(&sigint, stop_cb, SIGINT);
	ev_signal_init(&sigterm, stop_cb, SIGTERM);
	ev_signal_start(loop, &sigint);
	ev_signal_start(loop, &sigterm);
	kgw_notice("serving the session API on %s (TLS 1.3, %u PAM workers, service `%s')",
		   kgw_sockaddr_format(&cfg->auth_listen, addr), cfg->workers, cfg->pam_service);
	kgw_notice("serving the admin UI on %s (service `%s', templates in %s)",
		   kgw_sockaddr_format(&cfg->admin_listen, addr), cfg->admin_pam_service, data_dir);
	ev_run(loop, 0);
	ev_signal_stop(loop, &sigint);
	ev_signal_stop(loop, &sigterm);
	ret = 0;
out:
	kgw_portal_free(portal);
	kgw_backend_kgwd_free((struct portal_backend *)o.backend);
	kgw_audit_set_sink(NULL, NULL);
	kgw_store_close(store);
	ev_loop_destroy(loop);
	return ret;
}

int main(int argc, char **argv)
{
	struct options opts = { 0 };
	struct kgw_config cfg;
	char err[KGW_CONF_ERR_MAX];
	unsigned int dest;
	int ret;

	if (parse_args(argc, argv, &opts))
		return 2;
	kgw_log_open("kgw-portal", KGW_LOG_INFO, KGW_LOG_TO_STDERR);
	ret = kgw_config_load(&cfg, opts.config_path, opts.config_given, err);
	if (ret && !(ret == -ENOENT && !opts.config_given)) {
		kgw_err("%s", err);
		return 1;
	}
	if (opts.check_config) {
		kgw_config_write(&cfg, stdout);
		return 0;
	}
	dest = (cfg.syslog ? KGW_LOG_TO_SYSLOG : 0) |
	       (opts.foreground || !cfg.syslog ? KGW_LOG_TO_STDERR : 0);
	kgw_log_close();
	kgw_log_open("kgw-portal", (enum kgw_log_level)cfg.log_level, dest);
	kgw_json_init();
	/* The option, else the configuration, else where `make install' put them. */
	ret = serve(&cfg, opts.seccomp, opts.data_dir ? opts.data_dir : cfg.admin_data_dir[0] ?
		    cfg.admin_data_dir : KGW_ADMIN_DATA_DIR);
	kgw_log_close();
	return ret;
}
