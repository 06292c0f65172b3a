/* SPDX-License-Identifier: MIT */
/*
 * A test driver for gateway/nl.c and gateway/wg_kernel.c: one netlink
 * operation per run, so nl-netns.sh can do each step with kgwd's code
 * inside a namespace and check the result with `ip -j'.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nl.h"
#include "wg_kernel.h"

static int usage(void)
{
	fputs("usage: nl-tool create IFNAME KIND | delete IFNAME | up IFNAME | down IFNAME\n"
	      "       | mtu IFNAME N | show IFNAME | addr-add|addr-del IFNAME ADDR/PREFIX\n"
	      "       | route-add|route-del IFNAME CIDR | forwarding\n"
	      "       | wg-probe | wg-create IFNAME | wg-get IFNAME\n", stderr);
	return 2;
}

/* "100.64.0.1/16": an interface address, host bits and all. */
static int parse_ifaddr(const char *text, struct kgw_cidr *out)
{
	char addr[KGW_ADDR_STR_MAX];
	const char *slash = strchr(text, '/');
	char *end;
	long prefix;

	if (!slash || (size_t)(slash - text) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = '\0';
	if (kgw_cidr_parse(addr, true, out) < 0)
		return -EINVAL;
	errno = 0;
	prefix = strtol(slash + 1, &end, 10);
	if (errno || *end || end == slash + 1 || prefix < 0 || prefix > out->prefix)
		return -EINVAL;
	out->prefix = (uint8_t)prefix;
	return 0;
}

static int wg_command(const char *cmd, int argc, char **argv, struct kgw_nlsock *rtnl)
{
	struct kgw_wg_kernel k;
	struct kgw_wg_device dev;
	int ret;

	if (!strcmp(cmd, "wg-probe")) {
		bool ok = kgw_wg_kernel_available();

		printf("%s\n", ok ? "available" : "unavailable");
		return ok ? 0 : 1;
	}
	if (argc < 3)
		return usage();
	if (!strcmp(cmd, "wg-create"))
		return kgw_wg_kernel_link_create(rtnl, argv[2]) < 0;
	if (strcmp(cmd, "wg-get"))
		return usage();
	if (kgw_wg_kernel_open(&k, false) < 0)
		return 1;
	ret = kgw_wg_kernel_get(&k, argv[2], &dev);
	if (ret == 0)
		printf("%s port %u peers %zu\n", dev.ifname, dev.listen_port, dev.n_peers);
	kgw_wg_device_clear(&dev);
	kgw_wg_kernel_close(&k);
	return ret < 0;
}

static int link_command(const char *cmd, int argc, char **argv, struct kgw_nlsock *s)
{
	struct kgw_nl_link link;
	struct kgw_cidr c;
	unsigned int idx;

	if (!strcmp(cmd, "create") && argc == 4)
		return kgw_nl_link_create(s, argv[2], argv[3]) < 0;
	if (kgw_nl_link_index(s, argv[2], &idx) < 0) {
		fprintf(stderr, "nl-tool: no link `%s'\n", argv[2]);
		return 1;
	}
	if (!strcmp(cmd, "delete"))
		return kgw_nl_link_delete(s, idx) < 0;
	if (!strcmp(cmd, "up") || !strcmp(cmd, "down"))
		return kgw_nl_link_set_up(s, idx, !strcmp(cmd, "up")) < 0;
	if (!strcmp(cmd, "show")) {
		if (kgw_nl_link_get(s, argv[2], &link) < 0)
			return 1;
		printf("%u %s mtu %u %s kind %s\n", link.ifindex, link.ifname, link.mtu,
		       link.flags & IFF_UP ? "up" : "down", link.kind[0] ? link.kind : "-");
		return 0;
	}
	if (argc != 4)
		return usage();
	if (!strcmp(cmd, "mtu"))
		return kgw_nl_link_set_mtu(s, idx, (uint32_t)strtoul(argv[3], NULL, 10)) < 0;
	if (!strncmp(cmd, "addr-", 5)) {
		if (parse_ifaddr(argv[3], &c) < 0) {
			fprintf(stderr, "nl-tool: not an address: `%s'\n", argv[3]);
			return 2;
		}
		return (!strcmp(cmd, "addr-add") ? kgw_nl_addr_add(s, idx, &c)
						 : kgw_nl_addr_del(s, idx, &c)) < 0;
	}
	if (!strncmp(cmd, "route-", 6)) {
		if (kgw_cidr_parse(argv[3], true, &c) < 0) {
			fprintf(stderr, "nl-tool: not a prefix: `%s'\n", argv[3]);
			return 2;
		}
		return (!strcmp(cmd, "route-add") ? kgw_nl_route_add(s, idx, &c)
						  : kgw_nl_route_del(s, idx, &c)) < 0;
	}
	return usage();
}

int main(int argc, char **argv)
{
	struct kgw_nlsock s;
	int ret;

	kgw_log_open("nl-tool", KGW_LOG_DEBUG, KGW_LOG_TO_STDERR);
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "forwarding"))
		return kgw_nl_forwarding_enable(NULL) < 0;
	if (kgw_nlsock_open(&s, NETLINK_ROUTE) < 0)
		return 1;
	if (!strncmp(argv[1], "wg-", 3))
		ret = wg_command(argv[1], argc, argv, &s);
	else if (argc < 3)
		ret = usage();
	else
		ret = link_command(argv[1], argc, argv, &s);
	kgw_nlsock_close(&s);
	return ret;
}
