/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the UAPI (what `wg set' and `wg show' say to
 * kgw-wg): the input is one request; a set that parses is applied to a
 * real device that already has a peer, and the device is then read back
 * and formatted as a `get=1' reply, as wg_engine_uapi.c does.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "wg_crypto.h"
#include "wg_device.h"
#include "wg_uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t seed_counter;

static void op_send_udp(void *ctx, const union kgw_sockaddr *to, const uint8_t *buf, size_t len)
{
	(void)ctx, (void)to, (void)buf, (void)len;
}

static void op_write_tun(void *ctx, uint8_t *pkt, size_t len)
{
	(void)ctx, (void)pkt, (void)len;
}

static void op_peer_timer(void *ctx, struct wg_peer *peer, uint64_t deadline)
{
	(void)ctx, (void)peer, (void)deadline;
}

static void op_random(void *ctx, uint8_t *out, size_t len)
{
	uint8_t seed[randombytes_SEEDBYTES] = { 7 };

	(void)ctx;
	memcpy(seed + 8, &seed_counter, sizeof(seed_counter));
	seed_counter++;
	randombytes_buf_deterministic(out, len, seed);
}

static void op_realtime(void *ctx, struct timespec *ts)
{
	(void)ctx;
	ts->tv_sec = 1700000000;
	ts->tv_nsec = 0;
}

static const struct wg_device_ops ops = {
	.send_udp = op_send_udp,
	.write_tun = op_write_tun,
	.peer_timer = op_peer_timer,
	.random = op_random,
	.realtime = op_realtime,
};

static void quiet(enum kgw_log_level level, const char *msg, void *ctx)
{
	(void)level, (void)msg, (void)ctx;
}

/* The peer the seed corpus names: its key is 32 bytes of 0x11. */
static int add_known_peer(struct wg_device *dev)
{
	uint8_t key[WG_KEY_LEN];
	struct kgw_cidr c;
	struct wg_peer *p;

	memset(key, 0x11, sizeof(key));
	p = wg_device_add_peer(dev, key);
	if (!p || kgw_cidr_parse("10.0.0.2/32", true, &c))
		return -1;
	return wg_device_peer_allow(dev, p, &c);
}

static void apply_and_show(const struct wg_uapi_set *set)
{
	struct wg_uapi_device_info info;
	struct wg_device *dev;
	size_t len;
	char *text;

	seed_counter = 0;
	dev = wg_device_new(&ops, NULL);
	if (!dev)
		return;
	if (!add_known_peer(dev) && !wg_device_apply(dev, set, 1000)) {
		memset(&info, 0, sizeof(info));
		if (!wg_device_info(dev, &info)) {
			text = wg_uapi_format_get(&info, &len);
			if (text && strlen(text) != len)
				abort();
			free(text);
		}
		wg_uapi_device_info_free(&info);
	}
	wg_device_free(dev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct wg_uapi_set set;
	char err[256];
	int op;

	if (!ready) {
		if (sodium_init() < 0 || wg_crypto_init())
			abort();
		kgw_log_set_sink(quiet, NULL);
		ready = true;
	}
	memset(&set, 0, sizeof(set));
	err[0] = '\0';
	op = wg_uapi_parse((const char *)data, size, &set, err, sizeof(err));
	if (op < 0 && (!err[0] || !memchr(err, '\0', sizeof(err))))
		abort();	/* every refusal says why */
	if (op == WG_UAPI_SET)
		apply_and_show(&set);
	wg_uapi_set_free(&set);
	return 0;
}
