/* SPDX-License-Identifier: MIT */
/* Reading a live tunnel: the configuration socket's answer, or a netlink dump. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "tunnel.h"
#include "wg_engine.h"
#include "wg_kernel.h"

/* A `get' answer for one interface with one peer is a few hundred bytes. */
#define UAPI_REPLY_MAX 65536

static int parse_hex_key(const char *v, uint8_t out[static WG_KEY_LEN])
{
	size_t len = 0;

	if (strlen(v) != 2 * WG_KEY_LEN ||
	    sodium_hex2bin(out, WG_KEY_LEN, v, 2 * WG_KEY_LEN, NULL, &len, NULL) || len != WG_KEY_LEN) {
		sodium_memzero(out, WG_KEY_LEN);
		return -EINVAL;
	}
	return 0;
}

static int parse_u64(const char *v, uint64_t *out)
{
	char *end;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

struct reply_ctx {
	const uint8_t *peer;
	struct kgwc_tunnel_info *info;
	bool in_peer, ours;
	int dev_errno;
	bool done;
};

static int reply_line(struct reply_ctx *c, const char *k, const char *v)
{
	uint8_t key[WG_KEY_LEN];
	uint64_t n;

	if (!strcmp(k, "errno")) {
		if (parse_u64(v, &n) || n > 4096)
			return -EINVAL;
		c->dev_errno = (int)n;
		c->done = true;
		return 0;
	}
	if (!strcmp(k, "public_key")) {
		if (parse_hex_key(v, key))
			return -EINVAL;
		c->in_peer = true;
		c->ours = !sodium_memcmp(key, c->peer, WG_KEY_LEN);
		c->info->has_peer |= c->ours;
		return 0;
	}
	if (!c->in_peer)
		return strcmp(k, "private_key") ? 0
		       : (c->info->has_private_key = !parse_hex_key(v, c->info->private_key)) ? 0 : -EINVAL;
	if (!c->ours)
		return 0;
	if (!strcmp(k, "last_handshake_time_sec") || !strcmp(k, "last_handshake_time_nsec") ||
	    !strcmp(k, "rx_bytes") || !strcmp(k, "tx_bytes")) {
		if (parse_u64(v, &n))
			return -EINVAL;
		if (k[0] == 'r')
			c->info->rx_bytes = n;
		else if (k[0] == 't')
			c->info->tx_bytes = n;
		else if (!strcmp(k, "last_handshake_time_sec"))
			c->info->last_handshake.tv_sec = (time_t)n;
		else
			c->info->last_handshake.tv_nsec = (long)(n % 1000000000);
	}
	return 0;
}

int kgwc_uapi_reply_parse(const char *text, size_t len, const uint8_t peer[static WG_KEY_LEN],
			  struct kgwc_tunnel_info *info)
{
	struct reply_ctx c = { .peer = peer, .info = info };
	char line[256];
	size_t i = 0;
	int ret = 0;

	memset(info, 0, sizeof(*info));
	while (i < len && !c.done && !ret) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (text + i)) : len - i;
		char *eq;

		if (!nl || l >= sizeof(line) || memchr(text + i, '\0', l)) {
			ret = -EINVAL;
			break;
		}
		memcpy(line, text + i, l);
		line[l] = '\0';
		i += l + 1;
		eq = strchr(line, '=');
		if (!eq) {
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		ret = reply_line(&c, line, eq + 1);
	}
	sodium_memzero(line, sizeof(line));
	if (!ret && !c.done)
		ret = -EINVAL;
	if (!ret && c.dev_errno)
		ret = -c.dev_errno;
	if (ret)
		kgwc_tunnel_info_wipe(info);
	return ret;
}

void kgwc_tunnel_info_wipe(struct kgwc_tunnel_info *info)
{
	sodium_memzero(info, sizeof(*info));
}

/* Asks the configuration socket, as `wg show' does. */
static int read_uapi(const char *ifname, const uint8_t peer[static WG_KEY_LEN],
		     struct kgwc_tunnel_info *info, char err[static KGWC_ERR_MAX])
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *buf = NULL;
	size_t len = 0;
	int fd, ret;

	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s.sock", KGW_WG_UAPI_DIR, ifname) >=
	    (int)sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ret = -errno;
		snprintf(err, KGWC_ERR_MAX, "%s: cannot reach the tunnel's configuration socket %s: %s",
			 ifname, sun.sun_path, strerror(-ret));
		goto out;
	}
	errno = 0;
	if (write(fd, "get=1\n\n", 7) != 7 || !(buf = malloc(UAPI_REPLY_MAX))) {
		ret = errno ? -errno : -ENOMEM;
		snprintf(err, KGWC_ERR_MAX, "%s: cannot ask the tunnel: %s", ifname, strerror(-ret));
		goto out;
	}
	/* The answer ends with a blank line after "errno=N". */
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, KGWC_IO_TIMEOUT_MS) <= 0)
			break;
		n = read(fd, buf + len, UAPI_REPLY_MAX - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == UAPI_REPLY_MAX || (len >= 2 && !memcmp(buf + len - 2, "\n\n", 2)))
			break;
	}
	ret = kgwc_uapi_reply_parse(buf, len, peer, info);
	if (ret)
		snprintf(err, KGWC_ERR_MAX, "%s: the tunnel's answer is not understood", ifname);
out:
	if (buf) {
		sodium_memzero(buf, UAPI_REPLY_MAX);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

static int read_kernel(const char *ifname, const uint8_t peer[static WG_KEY_LEN],
		       struct kgwc_tunnel_info *info, char err[static KGWC_ERR_MAX])
{
	struct kgw_wg_kernel k;
	struct kgw_wg_device dev;
	int ret;

	memset(info, 0, sizeof(*info));
	if ((ret = kgw_wg_kernel_open(&k, true))) {
		snprintf(err, KGWC_ERR_MAX, "this kernel has no WireGuard: %s", strerror(-ret));
		return ret;
	}
	ret = kgw_wg_kernel_get(&k, ifname, &dev);
	kgw_wg_kernel_close(&k);
	if (ret) {
		snprintf(err, KGWC_ERR_MAX, "%s: cannot read the WireGuard device: %s", ifname,
			 strerror(-ret));
		return ret;
	}
	if (dev.flags & KGW_WG_DEVICE_HAS_PRIVATE_KEY) {
		info->has_private_key = true;
		memcpy(info->private_key, dev.private_key, WG_KEY_LEN);
	}
	for (size_t i = 0; i < dev.n_peers; i++) {
		if (sodium_memcmp(dev.peers[i].public_key, peer, WG_KEY_LEN))
			continue;
		info->has_peer = true;
		info->last_handshake = dev.peers[i].last_handshake;
		info->rx_bytes = dev.peers[i].rx_bytes;
		info->tx_bytes = dev.peers[i].tx_bytes;
	}
	kgw_wg_device_clear(&dev);
	return 0;
}

int kgwc_tunnel_read(const char *ifname, enum kgwc_backend backend, const uint8_t peer[static WG_KEY_LEN],
		     struct kgwc_tunnel_info *info, char err[static KGWC_ERR_MAX])
{
	memset(info, 0, sizeof(*info));
	return backend == KGWC_BACKEND_KERNEL ? read_kernel(ifname, peer, info, err)
					      : read_uapi(ifname, peer, info, err);
}
