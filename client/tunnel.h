/* SPDX-License-Identifier: MIT */
/*
 * The client's tunnel: a WireGuard interface with this session's key, the
 * gateway as its one peer (allowed IPs = the session's routes), the
 * session's addresses, and a route for each allowed API prefix and
 * nothing else (split tunnel: the default route is never touched).
 *
 * Kernel WireGuard when the kernel has it (the link outlives no one: the
 * tunnel process deletes it), else kgw's userspace engine on a TUN device
 * in this process, with the standard configuration socket so `wg show'
 * works. Either way the interface, and the routes with it, go away when
 * the tunnel is brought down.
 */
#ifndef KGWC_TUNNEL_H
#define KGWC_TUNNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <ev.h>

#include "addr.h"
#include "client.h"
#include "session.h"
#include "state.h"

struct kgwc_tunnel;

struct kgwc_tunnel_config {
	const char *ifname;
	enum kgwc_backend backend;		/* AUTO picks kernel when available */
	const uint8_t *private_key;		/* WG_KEY_LEN bytes; secret */
	const struct kgwc_session *session;
	union kgw_sockaddr endpoint;		/* the gateway's WireGuard endpoint, resolved */
};

/*
 * Brings the tunnel up; the userspace engine runs on `loop'. On failure
 * whatever was made is removed again, *out is NULL and err says why.
 */
int kgwc_tunnel_up(struct ev_loop *loop, const struct kgwc_tunnel_config *cfg,
		   struct kgwc_tunnel **out, char err[static KGWC_ERR_MAX])
	__attribute__((warn_unused_result));
/* Removes the interface (and so its routes). NULL is fine. */
void kgwc_tunnel_down(struct kgwc_tunnel *t);
enum kgwc_backend kgwc_tunnel_backend(const struct kgwc_tunnel *t);

/* Does a link of this name exist (in this network namespace)? */
bool kgwc_tunnel_link_exists(const char *ifname);
/*
 * For a tunnel whose process is gone: deletes a kernel WireGuard link of
 * that name (a userspace TUN died with its process). -ENODEV if none.
 */
int kgwc_tunnel_remove_link(const char *ifname);

/* What the live interface says about itself and the gateway peer. */
struct kgwc_tunnel_info {
	bool has_private_key;
	uint8_t private_key[WG_KEY_LEN];	/* secret */
	bool has_peer;				/* the gateway peer is configured */
	struct timespec last_handshake;		/* {0, 0}: none yet */
	uint64_t rx_bytes, tx_bytes;
};

/*
 * Reads the interface through the configuration socket (userspace) or
 * generic netlink (kernel). `peer' is the gateway's public key. Wipe the
 * info with kgwc_tunnel_info_wipe().
 */
int kgwc_tunnel_read(const char *ifname, enum kgwc_backend backend, const uint8_t peer[static WG_KEY_LEN],
		     struct kgwc_tunnel_info *info, char err[static KGWC_ERR_MAX])
	__attribute__((warn_unused_result));
void kgwc_tunnel_info_wipe(struct kgwc_tunnel_info *info);

/*
 * Pure: the answer to `get=1' on a configuration socket (key=value lines,
 * up to and including "errno=N") into info, for the peer `peer'.
 * -EINVAL for a malformed answer, or -errno the device reported.
 */
int kgwc_uapi_reply_parse(const char *text, size_t len, const uint8_t peer[static WG_KEY_LEN],
			  struct kgwc_tunnel_info *info) __attribute__((warn_unused_result));

#endif
