/* SPDX-License-Identifier: MIT */
/*
 * A test driver for gateway/policy.c and gateway/nft.c: builds the full
 * ruleset or a session change from the command line, prints it or applies
 * it through libnftables, as kgwd does (in the caller's network namespace).
 *
 *   policy-tool [OPTIONS] full|add|del [SESSION...]
 *   SESSION: ADDR4[,ADDR6]=PREFIX@PORT[-PORT][+PREFIX@PORT[-PORT]...]
 * Sessions with the same destinations (in the same order) share a group,
 * numbered by the first of them on the command line (N, N + 1, ...; N is
 * --first-group, 0 by default). `add --new-group' also creates the groups
 * of the sessions added.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nft.h"
#include "policy.h"

#define MAX_SESSIONS 64
#define MAX_DESTS 64

static struct kgw_policy_session sessions[MAX_SESSIONS];
static struct kgw_policy_dest dests[MAX_SESSIONS][MAX_DESTS];
static uint16_t first_group;

static int usage(void)
{
	fputs("usage: policy-tool [--tunnel IF] [--public IF] [--private IF] [--mgmt IF]\n"
	      "  [--wg-port N] [--auth-port N] [--portal-port N] [--ssh-port N] [--routed]\n"
	      "  [--pool4 CIDR] [--pool6 CIDR] [--apply] [--new-group] [--first-group N]\n"
	      "  full|add|del [SESSION...]\n",
	      stderr);
	return 2;
}

static int port(const char *text, uint16_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || end == text || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

static int parse_dest(char *text, struct kgw_policy_dest *d)
{
	char *at = strchr(text, '@'), *dash;

	if (!at)
		return -EINVAL;
	*at++ = '\0';
	if (kgw_cidr_parse(text, true, &d->net) < 0)
		return -EINVAL;
	dash = strchr(at, '-');
	if (dash)
		*dash++ = '\0';
	if (port(at, &d->port_min) < 0 || port(dash ? dash : at, &d->port_max) < 0)
		return -EINVAL;
	return 0;
}

static int parse_session(char *text, size_t i)
{
	struct kgw_policy_session *s = &sessions[i];
	char *eq = strchr(text, '='), *comma, *d;

	if (!eq)
		return -EINVAL;
	*eq++ = '\0';
	comma = strchr(text, ',');
	if (comma)
		*comma++ = '\0';
	if (kgw_cidr_parse(text, true, &s->addr4) < 0 ||
	    (comma && kgw_cidr_parse(comma, true, &s->addr6) < 0))
		return -EINVAL;
	s->dests = dests[i];
	for (d = strtok(eq, "+"); d; d = strtok(NULL, "+")) {
		if (s->n_dests == MAX_DESTS || parse_dest(d, &dests[i][s->n_dests]) < 0)
			return -EINVAL;
		s->n_dests++;
	}
	s->group = first_group + (uint32_t)i;
	for (size_t j = 0; j < i; j++)
		if (kgw_policy_same_dests(&sessions[j], s)) {
			s->group = sessions[j].group;
			break;
		}
	return 0;
}

/* The group texts of the sessions that are the first of their group, then the add. */
static int add_with_groups(const struct kgw_policy_config *cfg, size_t n, char **out, char *err)
{
	char *text, *grown, *all = NULL;
	size_t len = 0;
	int ret;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && sessions[i].group != first_group + i)
			continue;
		ret = i < n ? kgw_policy_group_add(cfg, &sessions[i], &text, err)
			    : kgw_policy_sessions_add(cfg, sessions, n, &text, err);
		if (ret < 0) {
			free(all);
			return ret;
		}
		if (!(grown = realloc(all, len + strlen(text) + 1))) {
			free(text);
			free(all);
			return -ENOMEM;
		}
		all = grown;
		strcpy(all + len, text);
		len += strlen(text);
		free(text);
	}
	*out = all;
	return 0;
}

static int option(struct kgw_policy_config *c, const char *opt, const char *val)
{
	static const struct {
		const char *name;
		size_t off;
	} ifs[] = {
		{ "--tunnel", offsetof(struct kgw_policy_config, tunnel_if) },
		{ "--public", offsetof(struct kgw_policy_config, public_if) },
		{ "--private", offsetof(struct kgw_policy_config, private_if) },
		{ "--mgmt", offsetof(struct kgw_policy_config, mgmt_if) },
	};

	for (size_t i = 0; i < sizeof(ifs) / sizeof(ifs[0]); i++)
		if (!strcmp(opt, ifs[i].name)) {
			/* Copied as given, even when too long: the policy must reject it. */
			snprintf((char *)c + ifs[i].off, IFNAMSIZ, "%s", val);
			return strlen(val) < IFNAMSIZ ? 0 : -EINVAL;
		}
	if (!strcmp(opt, "--wg-port"))
		return port(val, &c->wg_port);
	if (!strcmp(opt, "--auth-port"))
		return port(val, &c->auth_port);
	if (!strcmp(opt, "--portal-port"))
		return port(val, &c->portal_port);
	if (!strcmp(opt, "--ssh-port"))
		return port(val, &c->ssh_port);
	if (!strcmp(opt, "--pool4"))
		return kgw_cidr_parse(val, true, &c->pool4);
	if (!strcmp(opt, "--pool6"))
		return kgw_cidr_parse(val, true, &c->pool6);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct kgw_policy_config cfg;
	struct kgw_config defaults;
	char err[KGW_NFT_ERR_MAX], *text = NULL;
	bool apply = false, new_group = false;
	size_t n = 0;
	int i, ret;

	kgw_log_open("policy-tool", KGW_LOG_INFO, KGW_LOG_TO_STDERR);
	kgw_config_defaults(&defaults);
	kgw_policy_from_config(&defaults, &cfg);
	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--apply")) {
			apply = true;
		} else if (!strcmp(argv[i], "--new-group")) {
			new_group = true;
		} else if (!strcmp(argv[i], "--first-group") && i + 1 < argc) {
			if (port(argv[++i], &first_group) < 0)
				return usage();
		} else if (!strcmp(argv[i], "--routed")) {
			cfg.nat = KGW_NAT_ROUTED;
		} else if (i + 1 >= argc || option(&cfg, argv[i], argv[i + 1]) < 0) {
			fprintf(stderr, "policy-tool: bad option `%s'\n", argv[i]);
			return usage();
		} else {
			i++;
		}
	}
	if (i >= argc)
		return usage();
	for (int k = i + 1; k < argc; k++, n++)
		if (n == MAX_SESSIONS || parse_session(argv[k], n) < 0) {
			fprintf(stderr, "policy-tool: bad session `%s'\n", argv[k]);
			return 2;
		}
	if (!strcmp(argv[i], "full"))
		ret = kgw_policy_ruleset(&cfg, sessions, n, &text, err);
	else if (!strcmp(argv[i], "add") && new_group)
		ret = add_with_groups(&cfg, n, &text, err);
	else if (!strcmp(argv[i], "add"))
		ret = kgw_policy_sessions_add(&cfg, sessions, n, &text, err);
	else if (!strcmp(argv[i], "del"))
		ret = kgw_policy_sessions_del(&cfg, sessions, n, &text, err);
	else
		return usage();
	if (ret < 0) {
		fprintf(stderr, "policy-tool: %s\n", ret == -EINVAL ? err : strerror(-ret));
		return 1;
	}
	if (apply)
		ret = kgw_nft_apply(text, err);
	else
		fputs(text, stdout);
	free(text);
	return ret < 0;
}
