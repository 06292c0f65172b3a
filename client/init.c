/* SPDX-License-Identifier: MIT */
/* kgw-client init: write a profile from options, or from a file an admin handed out. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "log.h"
#include "profile.h"

static const char usage[] =
"Usage: kgw-client init [--profile NAME|PATH] [--force]\n"
"                       --gateway HOST[:PORT] --pin SHA256 --user NAME [--interface IFNAME]\n"
"       kgw-client init [--profile NAME|PATH] [--force] --from FILE [--user NAME] ...\n"
"\n"
"Writes a profile: the gateway's session API address (port 4443 unless\n"
"given), the SHA-256 fingerprint of its certificate, which is the only thing\n"
"the client trusts it by (what `openssl x509 -noout -fingerprint -sha256'\n"
"prints; colons optional), the user to log in as, and the tunnel interface\n"
"(default " KGWC_DEFAULT_IFNAME "). With --from, the profile file an admin handed out\n"
"is checked and installed; options given as well override its values.\n"
"\n"
"Profiles live in $XDG_CONFIG_HOME/kgw/NAME.conf (else ~/.config/kgw/), NAME\n"
"`" KGWC_DEFAULT_PROFILE "' unless --profile says; a PATH (with a `/') is used as it is.\n"
"\n"
"Options:\n"
"  -p, --profile NAME|PATH  which profile to write\n"
"  -g, --gateway HOST[:PORT]\n"
"  -P, --pin SHA256\n"
"  -u, --user NAME\n"
"  -i, --interface IFNAME\n"
"  -f, --from FILE          start from this profile file\n"
"      --force              replace an existing profile\n"
"  -h, --help\n"
"\n"
"Exit status: 0 written, 1 error, 2 usage error.\n";

enum { OPT_FORCE = 256 };

struct init_opts {
	const char *profile, *from;
	const char *set[4][2];	/* key, value: applied in this order */
	size_t n_set;
	bool force;
};

static int parse(int argc, char **argv, struct init_opts *o)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "pin", required_argument, NULL, 'P' },
		{ "user", required_argument, NULL, 'u' },
		{ "interface", required_argument, NULL, 'i' },
		{ "from", required_argument, NULL, 'f' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "p:g:P:u:i:f:h", longopts, NULL)) != -1) {
		const char *key = NULL;

		switch (c) {
		case 'p': o->profile = optarg; break;
		case 'f': o->from = optarg; break;
		case OPT_FORCE: o->force = true; break;
		case 'g': key = "address"; break;
		case 'P': key = "pin"; break;
		case 'u': key = "user"; break;
		case 'i': key = "interface"; break;
		case 'h': fputs(usage, stdout); return 1;
		default: return -1;
		}
		if (key) {
			for (size_t i = 0; i < o->n_set; i++) {
				if (!strcmp(o->set[i][0], key)) {
					fprintf(stderr, "kgw-client init: the %s is given twice\n", key);
					return -1;
				}
			}
			o->set[o->n_set][0] = key;
			o->set[o->n_set++][1] = optarg;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "kgw-client init: unexpected argument `%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static bool has_key(const struct init_opts *o, const char *key)
{
	for (size_t i = 0; i < o->n_set; i++)
		if (!strcmp(o->set[i][0], key))
			return true;
	return false;
}

int kgwc_cmd_init(int argc, char **argv)
{
	static const char *const required[] = { "address", "pin", "user" };
	static const char *const option[] = { "--gateway", "--pin", "--user" };
	struct init_opts o = { 0 };
	struct kgwc_profile_ref ref;
	struct kgwc_profile p = { 0 };
	char err[KGWC_ERR_MAX];
	int ret = parse(argc, argv, &o);

	if (ret)
		return ret > 0 ? KGWC_EXIT_OK : kgwc_usage_error("init");
	if (!o.from) {
		for (size_t i = 0; i < 3; i++) {
			if (!has_key(&o, required[i])) {
				fprintf(stderr, "kgw-client init: %s is required (or --from FILE)\n", option[i]);
				return kgwc_usage_error("init");
			}
		}
		snprintf(p.interface, sizeof(p.interface), "%s", KGWC_DEFAULT_IFNAME);
	} else if (kgwc_profile_load(o.from, &p, err)) {
		kgw_err("%s", err);
		return KGWC_EXIT_ERROR;
	}
	for (size_t i = 0; i < o.n_set; i++) {
		if (kgwc_profile_set(&p, o.set[i][0], o.set[i][1], err)) {
			kgw_err("%s", err);
			return KGWC_EXIT_USAGE;
		}
	}
	if (kgwc_profile_resolve(o.profile, &ref, err)) {
		kgw_err("%s", err);
		return KGWC_EXIT_USAGE;
	}
	if (!o.force && access(ref.path, F_OK) == 0) {
		kgw_err("profile `%s' exists already (%s): use --force to replace it", ref.name, ref.path);
		return KGWC_EXIT_ERROR;
	}
	if (kgwc_profile_save(ref.path, &p, err)) {
		kgw_err("%s", err);
		return KGWC_EXIT_ERROR;
	}
	printf("Profile `%s' written to %s: %s at %s\n", ref.name, ref.path, p.user, p.gw.address);
	return KGWC_EXIT_OK;
}
