/* SPDX-License-Identifier: MIT */
/*
 * /etc/kgw/kgw.conf: one INI file for every kgw program. Every key has a
 * safe default; unknown sections and keys, duplicates and bad values are an
 * error that names the file, the line and the key.
 */
#ifndef KGW_CONF_H
#define KGW_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>

#include "addr.h"
#include "log.h"

/* Fixed, not under --prefix: an appliance keeps its state in FHS places. */
#define KGW_CONF_DEFAULT_PATH "/etc/kgw/kgw.conf"
#define KGW_CONF_STR_MAX 256
#define KGW_CONF_ERR_MAX 512

enum kgw_backend { KGW_BACKEND_AUTO, KGW_BACKEND_USERSPACE, KGW_BACKEND_KERNEL };
enum kgw_nat { KGW_NAT_MASQUERADE, KGW_NAT_ROUTED };

struct kgw_config {
	/* [gateway] */
	char interface[IFNAMSIZ];
	int backend;			/* enum kgw_backend */
	uint16_t listen_port;
	char endpoint[KGW_CONF_STR_MAX];
	char private_key_file[KGW_CONF_STR_MAX];
	struct kgw_cidr tunnel_pool;
	struct kgw_cidr tunnel_pool6;
	unsigned int keepalive;
	unsigned int session_ttl;
	char control_socket[KGW_CONF_STR_MAX];
	char user[KGW_CONF_STR_MAX];
	char public_interface[IFNAMSIZ];
	char private_interface[IFNAMSIZ];
	char management_interface[IFNAMSIZ];
	int nat;			/* enum kgw_nat */
	/* [portal] */
	union kgw_sockaddr auth_listen;
	union kgw_sockaddr admin_listen;
	char tls_certificate[KGW_CONF_STR_MAX];
	char tls_key[KGW_CONF_STR_MAX];
	unsigned int workers;
	char pam_service[KGW_CONF_STR_MAX];
	char admin_pam_service[KGW_CONF_STR_MAX];
	unsigned int source_max_failures;
	unsigned int source_window;
	unsigned int auth_timeout;	/* a login still in PAM or kgwd by then: 503 */
	unsigned int admin_idle_timeout;
	unsigned int admin_session_lifetime;
	char admin_data_dir[KGW_CONF_STR_MAX];	/* "": the installed templates */
	/* [auth] */
	char otp_issuer[KGW_CONF_STR_MAX];
	unsigned int otp_digits;
	unsigned int otp_step;
	unsigned int otp_window;
	unsigned int max_failures;
	unsigned int lockout;
	/* [store] */
	char database[KGW_CONF_STR_MAX];
	/* [log] */
	int log_level;			/* enum kgw_log_level */
	bool syslog;
};

/* Fills every key with its default. Cannot fail: the defaults are tested. */
void kgw_config_defaults(struct kgw_config *cfg);

/*
 * Defaults, then the file. On error returns negative errno and writes
 * "FILE:LINE: `key': reason: `value'" (or "FILE: reason") into err.
 * A missing file is -ENOENT, and only an error when `must_exist'.
 */
int kgw_config_load(struct kgw_config *cfg, const char *path, bool must_exist,
		    char err[static KGW_CONF_ERR_MAX]) __attribute__((warn_unused_result));

/* The effective configuration as INI, every key, in table order. */
void kgw_config_write(const struct kgw_config *cfg, FILE *out);

/* For tests and the sample-config check: walk the key table. */
struct kgw_config_key_info {
	const char *section;
	const char *key;
	const char *default_value;
};
size_t kgw_config_key_count(void);
const struct kgw_config_key_info *kgw_config_key(size_t i);

/* "90", "90s", "15m", "8h", "2d" to seconds in [min, max]; NULL, or what is wrong. */
const char *kgw_parse_duration(const char *v, unsigned long min, unsigned long max,
			       unsigned long *out);

#endif
