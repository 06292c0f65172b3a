/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for everything kgwd parses from the kernel: netlink
 * answers (ack/error/done handling), RTM_NEWLINK, the genl family answer
 * and WireGuard GET_DEVICE dumps joined across messages.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nl.h"
#include "wg_genl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each(const struct nlmsghdr *nlh, void *ctx)
{
	struct kgw_wg_device *dev = ctx;
	struct kgw_nl_link link;
	uint16_t family;

	/* Each parser refuses what is not its message; only a crash matters here. */
	if (kgw_nl_parse_link(nlh, &link) == 0 && !memchr(link.ifname, '\0', sizeof(link.ifname)))
		abort();
	if (kgw_wg_parse_family(nlh, &family) == 0 && !family)
		abort();
	return kgw_wg_parse_device(nlh, dev) == -ENOMEM ? MNL_CB_ERROR : MNL_CB_OK;
}

static void quiet(enum kgw_log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)msg;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kgw_nlsock s = { .portid = 0 };
	struct kgw_wg_device dev;
	void *buf;

	kgw_log_set_sink(quiet, NULL);
	/* Netlink messages are 4-byte aligned in a real receive buffer. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	memset(&dev, 0, sizeof(dev));
	/* seq 0 and port 0: the fuzzer's messages are ours when they say so. */
	(void)kgw_nlsock_process(&s, buf, size, 0, each, &dev);
	kgw_wg_device_clear(&dev);
	free(buf);
	return 0;
}
