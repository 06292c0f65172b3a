/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>

#include "tun.h"

/* Older headers lack USO (Linux 6.2). */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

static int open_flags(const char *name, short flags, char actual[static IFNAMSIZ])
{
	struct ifreq ifr = { 0 };
	int fd, ret;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ifr.ifr_flags = flags;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		/*
		 * EINVAL: the name belongs to another kind of device; EBUSY: to
		 * a TUN device another process has open (a second kgw-wg).
		 */
		ret = errno == EINVAL ? -EEXIST : -errno;
		close(fd);
		return ret;
	}
	memcpy(actual, ifr.ifr_name, IFNAMSIZ);
	actual[IFNAMSIZ - 1] = '\0';
	return fd;
}

/* The most the kernel grants, USO first; 0 when it grants no TSO at all. */
static unsigned int set_offloads(int fd)
{
	const unsigned int tso = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;

	if (ioctl(fd, TUNSETOFFLOAD, tso | TUN_F_USO4 | TUN_F_USO6) == 0)
		return KGW_TUN_VNET | KGW_TUN_TSO | KGW_TUN_USO;
	if (ioctl(fd, TUNSETOFFLOAD, tso) == 0)
		return KGW_TUN_VNET | KGW_TUN_TSO;
	return 0;
}

int kgw_tun_open(const char *name, bool offload, char actual[static IFNAMSIZ], unsigned int *features)
{
	int fd;

	*features = 0;
	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	if (!offload)
		return open_flags(name, IFF_TUN | IFF_NO_PI, actual);
	fd = open_flags(name, IFF_TUN | IFF_NO_PI | IFF_VNET_HDR, actual);
	if (fd < 0)
		return fd;
	if ((*features = set_offloads(fd)))
		return fd;
	/*
	 * Headers without offloads buy nothing: start over without them. The
	 * device goes with its only descriptor, so the name is free again.
	 */
	close(fd);
	return open_flags(name, IFF_TUN | IFF_NO_PI, actual);
}

int kgw_tun_set_mtu(const char *name, int mtu)
{
	struct ifreq ifr = { 0 };
	int fd, ret = 0;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(ifr.ifr_name, name, strlen(name));
	ifr.ifr_mtu = mtu;
	if (ioctl(fd, SIOCSIFMTU, &ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

const char *kgw_tun_strerror(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENODEV:
		return "/dev/net/tun is missing (load the `tun' module, or give the container the device)";
	case -EPERM:
	case -EACCES:
		return "permission denied: creating a TUN device needs root or CAP_NET_ADMIN";
	case -EEXIST:
		return "the interface name is already used by a device that is not a TUN device";
	case -EBUSY:
		return "the TUN device is in use by another process (another kgw-wg or wireguard-go?)";
	case -ENAMETOOLONG:
		return "the interface name is too long (at most 15 characters)";
	default:
		return strerror(-err);
	}
}
