/* SPDX-License-Identifier: MIT */
/*
 * kgw-client: the operator's side of kgw. This file is only the table of
 * subcommands (as wg.c in wireguard-tools); each lives in its own file.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "client.h"
#include "log.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "init", kgwc_cmd_init, "write a profile: gateway, certificate pin, user" },
	{ "connect", kgwc_cmd_connect, "log in and bring the tunnel up" },
	{ "status", kgwc_cmd_status, "show the live session" },
	{ "disconnect", kgwc_cmd_disconnect, "end the session at the gateway and tear the tunnel down" },
	{ "kubeconfig", kgwc_cmd_kubeconfig, "print or merge a kubeconfig cluster for the private API" },
	{ "export", kgwc_cmd_export, "print the live session as a wg-quick configuration" },
};

static void usage(FILE *out)
{
	fputs("Usage: kgw-client COMMAND [OPTIONS]\n\n"
	      "Reaches a private Kubernetes API through a kgw gateway: logs in with a\n"
	      "password and a one-time code, and brings up a short-lived WireGuard tunnel\n"
	      "that routes only the API's addresses.\n\nCommands:\n", out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].what);
	fputs("\n`kgw-client COMMAND --help' tells more about each.\n\n"
	      "Exit status:\n"
	      "  0  success\n"
	      "  1  error\n"
	      "  2  usage error\n"
	      "  3  the gateway refused the login (wrong password or code, or not allowed)\n"
	      "  4  throttled after too many failures (the wait is printed)\n"
	      "  5  gateway unreachable or unavailable, TLS failure, or certificate pin mismatch\n"
	      "  6  the tunnel could not be set up\n"
	      "  7  not connected (status, disconnect, export without a session)\n", out);
}

/* CLI messages without the level for errors: "kgw-client: cannot ...". */
static void cli_sink(enum kgw_log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == KGW_LOG_ERR)
		fprintf(stderr, "kgw-client: %s\n", msg);
	else
		fprintf(stderr, "kgw-client: %s: %s\n", kgw_log_level_name(level), msg);
}

int kgwc_usage_error(const char *cmd)
{
	fprintf(stderr, "Try `kgw-client %s%s--help' for more information.\n", cmd ? cmd : "",
		cmd ? " " : "");
	return KGWC_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	kgw_log_open("kgw-client", KGW_LOG_NOTICE, KGW_LOG_TO_STDERR);
	kgw_log_set_sink(cli_sink, NULL);
	if (argc < 2) {
		usage(stderr);
		return KGWC_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return KGWC_EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("kgw-client %s\n", PACKAGE_VERSION);
		return KGWC_EXIT_OK;
	}
	if (sodium_init() < 0) {
		kgw_err("cannot initialise libsodium");
		return KGWC_EXIT_ERROR;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "kgw-client: unknown command `%s'\n", argv[1]);
	return kgwc_usage_error(NULL);
}
