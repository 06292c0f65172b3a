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

#include "conf.h"
#include "log.h"

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
"  -V, --version        show the version and exit\n"
"\n"
"Exit status: 0 on success (or a clean stop), 1 on a configuration error,\n"
"2 on a usage error, 3 when the tunnel or the policy cannot be set up.\n";

enum { OPT_CHECK_CONFIG = 256 };

struct kgwd_options {
	const char *config_path;
	bool config_given;
	bool check_config;
	bool foreground;
};

static int parse_args(int argc, char **argv, struct kgwd_options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->config_path = KGW_CONF_DEFAULT_PATH;
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

int main(int argc, char **argv)
{
	struct kgwd_options opts = { 0 };
	struct kgw_config cfg;
	char err[KGW_CONF_ERR_MAX];
	int ret;

	if (parse_args(argc, argv, &opts))
		return 2;
	kgw_log_open("kgwd", KGW_LOG_INFO, KGW_LOG_TO_STDERR);
	ret = kgw_config_load(&cfg, opts.config_path, opts.config_given, err);
	if (ret && !(ret == -ENOENT && !opts.config_given)) {
		kgw_err("%s", err);
		return 1;
	}
	if (opts.check_config) {
		kgw_config_write(&cfg, stdout);
		return 0;
	}
	kgw_err("the gateway service is not built yet; only --check-config works");
	return 3;
}
