/* SPDX-License-Identifier: MIT */
/* Layer-3 TUN devices for the userspace engine. */
#ifndef KGW_TUN_H
#define KGW_TUN_H

#include <net/if.h>

/*
 * Creates (or attaches to) TUN device `name' without packet information
 * headers, non-blocking and close-on-exec. The device disappears when the
 * descriptor is closed. Returns the descriptor or a negative errno:
 * -ENOENT when /dev/net/tun is missing, -EPERM without CAP_NET_ADMIN,
 * -EEXIST when the name is taken by a device that is not a TUN device,
 * -EBUSY when another process has that TUN device open.
 */
int kgw_tun_open(const char *name, char actual[static IFNAMSIZ]) __attribute__((warn_unused_result));
int kgw_tun_set_mtu(const char *name, int mtu) __attribute__((warn_unused_result));
/* What a negative errno from kgw_tun_open means to an operator. */
const char *kgw_tun_strerror(int err);

#endif
