/* SPDX-License-Identifier: MIT */
/*
 * The kernel WireGuard backend's I/O: create the link (rtnetlink, kind
 * "wireguard"), and program and read it (generic netlink family
 * "wireguard"). Messages come from wg_genl.c; this file sends them, and
 * turns a kernel without WireGuard into one clear error instead of an
 * errno.
 *
 * A change split over several messages is applied message by message, as
 * `wg setconf' does: a failure part-way leaves the earlier messages
 * applied, and the error says how far it got. kgwd's callers add or
 * remove one peer at a time, which always fits one message.
 */
#ifndef KGW_WG_KERNEL_H
#define KGW_WG_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "nlsock.h"
#include "wg_genl.h"

#define KGW_WG_KERNEL_KIND "wireguard"

struct kgw_wg_kernel {
	struct kgw_nlsock genl;
	uint16_t family;
};

/*
 * Opens a generic netlink socket and resolves the "wireguard" family.
 * -ENOENT (logged unless quiet) when the kernel has no WireGuard.
 */
int kgw_wg_kernel_open(struct kgw_wg_kernel *k, bool quiet) __attribute__((warn_unused_result));
void kgw_wg_kernel_close(struct kgw_wg_kernel *k);

/* For backend = auto: can kernel WireGuard be used here? Logs nothing. */
bool kgw_wg_kernel_available(void);

/* Creates the link on an rtnetlink socket; -EOPNOTSUPP: no WireGuard in this kernel. */
int kgw_wg_kernel_link_create(struct kgw_nlsock *rtnl, const char *ifname)
	__attribute__((warn_unused_result));

int kgw_wg_kernel_set(struct kgw_wg_kernel *k, const struct kgw_wg_device *dev)
	__attribute__((warn_unused_result));
/* Fills out (clear it with kgw_wg_device_clear()); on error out is left empty. */
int kgw_wg_kernel_get(struct kgw_wg_kernel *k, const char *ifname, struct kgw_wg_device *out)
	__attribute__((warn_unused_result));

#endif
