/* SPDX-License-Identifier: MIT */
/*
 * kgwctl: administration of a kgw gateway. This file is the dispatch table
 * and the global options; each command lives in its own kgwctl_*.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "kgwctl.h"

static const char usage[] =
"Usage: kgwctl [OPTION]... COMMAND [ARG]...\n"
"\n"
"Administers a kgw gateway: its first-boot set-up, users and their\n"
"one-time-code enrolment, groups and the destinations each may reach,\n"
"sessions, and the audit log, all kept in the kgw database.\n"
"\n"
"Commands:\n"
"  init        create the database, the WireGuard key, the TLS certificate\n"
"              and the first admin\n"
"  user        add, delete, list, show, change, disable and enable users\n"
"  otp         enrol, verify and reset users' one-time-code secrets\n"
"  group       add, delete and list groups; allow and deny destinations\n"
"  sessions    list sessions; revoke one\n"
"  audit       show the audit log\n"
"\n"
"`kgwctl COMMAND --help' describes each command and its options.\n"
"\n"
KGWCTL_COMMON_HELP
"  -V, --version       show the version and exit\n"
"\n"
"Options may also follow the command: `kgwctl user list --db /tmp/kgw.db'.\n"
"\n"
"Exit status: 0 on success, 1 when the operation failed (no such user, a\n"
"wrong code, a database error), 2 for a bad command line.\n";

static const struct kgwctl_command commands[] = {
	{ "init", "first-boot set-up", kgwctl_init },
	{ "user", "users", kgwctl_user },
	{ "otp", "one-time codes", kgwctl_otp },
	{ "group", "groups and destinations", kgwctl_group },
	{ "sessions", "sessions", kgwctl_sessions },
	{ "audit", "the audit log", kgwctl_audit_cmd },
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		KGWCTL_COMMON_LONGOPTS,
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct kgwctl ctl = { .config_path = KGW_CONF_DEFAULT_PATH };
	int c, ret;

	kgw_log_open("kgwctl", KGW_LOG_INFO, KGW_LOG_TO_STDERR);
	if (sodium_init() < 0) {
		kgwctl_err("cannot initialise libsodium");
		return KGWCTL_FAIL;
	}
	while ((c = getopt_long(argc, argv, "+" KGWCTL_COMMON_SHORTOPTS "V", longopts,
				NULL)) != -1) {
		if (c == 'V') {
			printf("kgwctl %s\n", PACKAGE_VERSION);
			return KGWCTL_OK;
		}
		if (kgwctl_common_opt(&ctl, c, optarg, "kgwctl", usage) != 1)
			return KGWCTL_USAGE;
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return KGWCTL_USAGE;
	}
	ret = kgwctl_dispatch(&ctl, "kgwctl", commands, sizeof(commands) / sizeof(commands[0]),
			      usage, argc - optind + 1, argv + optind - 1);
	kgw_store_close(ctl.store);
	return ret;
}
