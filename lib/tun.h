/* SPDX-License-Identifier: MIT */
/* Layer-3 TUN devices for the userspace engine. */
#ifndef KGW_TUN_H
#define KGW_TUN_H

#include <stdbool.h>
#include <net/if.h>

/* What kgw_tun_open() got from the kernel. */
#define KGW_TUN_VNET 0x1	/* every read and write starts with a struct virtio_net_hdr */
#define KGW_TUN_TSO 0x2		/* TCP super-packets both ways, checksums left partial (TSO) */
#define KGW_TUN_USO 0x4		/* and UDP super-packets from the kernel (Linux 6.2) */

/*
 * Creates (or attaches to) TUN device `name' without packet information
 * headers, non-blocking and close-on-exec. The device disappears when the
 * descriptor is closed. With `offload', asks for virtio_net_hdr headers
 * and checksum, TSO and USO offloads, and takes what the kernel grants
 * (*features says what); without, or when the kernel grants no offload,
 * plain packets (*features 0). Returns the descriptor or a negative
 * errno: -ENOENT when /dev/net/tun is missing, -EPERM without
 * CAP_NET_ADMIN, -EEXIST when the name is taken by a device that is not a
 * TUN device, -EBUSY when another process has that TUN device open.
 */
int kgw_tun_open(const char *name, bool offload, char actual[static IFNAMSIZ], unsigned int *features)
	__attribute__((warn_unused_result));
int kgw_tun_set_mtu(const char *name, int mtu) __attribute__((warn_unused_result));
/* What a negative errno from kgw_tun_open means to an operator. */
const char *kgw_tun_strerror(int err);

#endif
