/* SPDX-License-Identifier: MIT */
/*
 * kgw-client: what every subcommand shares. The exit codes are part of the
 * interface (scripts test them), and every limit and timeout the client
 * applies is named here.
 */
#ifndef KGWC_CLIENT_H
#define KGWC_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

/* Documented in `kgw-client --help' and the README; never renumber. */
enum kgwc_exit {
	KGWC_EXIT_OK = 0,
	KGWC_EXIT_ERROR = 1,		/* anything not listed below */
	KGWC_EXIT_USAGE = 2,		/* bad command line */
	KGWC_EXIT_AUTH = 3,		/* the gateway refused the login (401/403) */
	KGWC_EXIT_THROTTLED = 4,	/* 429: too many failures; Retry-After is printed */
	KGWC_EXIT_UNREACHABLE = 5,	/* no connection, TLS failure, pin mismatch */
	KGWC_EXIT_TUNNEL = 6,		/* the tunnel could not be set up */
	KGWC_EXIT_NOT_CONNECTED = 7,	/* status/disconnect/export without a session */
};

/* The gateway's session API (kgw-portal) listens here unless the profile says. */
#define KGWC_DEFAULT_PORT 4443
#define KGWC_DEFAULT_IFNAME "kgw0"

/* Limits of what we accept from a profile, a prompt and the gateway. */
#define KGWC_HOST_MAX 253		/* a DNS name (RFC 1035) */
#define KGWC_ADDRESS_MAX (KGWC_HOST_MAX + 8)	/* "[host]:65535" */
#define KGWC_USER_MAX 64		/* as the portal's user names */
#define KGWC_PASSWORD_MAX 1024		/* as the portal's passwords */
#define KGWC_OTP_MIN_DIGITS 6
#define KGWC_OTP_MAX_DIGITS 8
#define KGWC_TOKEN_MAX 128
#define KGWC_PIN_LEN 32			/* SHA-256 */
#define KGWC_PIN_HEX_MAX (KGWC_PIN_LEN * 3)	/* "AB:CD:...", with NUL */
#define KGWC_PROFILE_NAME_MAX 64
#define KGWC_ERR_MAX 512
#define KGWC_SESSION_ROUTES_MAX 256	/* routes the gateway may hand us */

/* HTTPS: a login runs PAM (argon2id) on the gateway, so reads wait long. */
#define KGWC_CONNECT_TIMEOUT_MS 10000
#define KGWC_IO_TIMEOUT_MS 30000
#define KGWC_HTTP_HEADERS_MAX 16384	/* all header bytes of one response */
#define KGWC_HTTP_HEADER_COUNT_MAX 32
#define KGWC_HTTP_BODY_MAX 262144

/* The tunnel. */
#define KGWC_TUN_MTU 1420
#define KGWC_STOP_WAIT_MS 5000		/* disconnect waits this long for the tunnel process */

/* Where the live session's state lives; KGW_CLIENT_STATE_DIR overrides. */
#define KGWC_STATE_DIR "/run/kgw-client"

/* A gateway's session API: where it is and the certificate it must present. */
struct kgwc_gateway {
	char address[KGWC_ADDRESS_MAX + 1];	/* as written: host[:port]; the Host header */
	char host[KGWC_HOST_MAX + 1];		/* without brackets */
	uint16_t port;
	uint8_t pin[KGWC_PIN_LEN];		/* SHA-256 of the certificate's DER */
};

/* One subcommand: argv[0] is its name. Returns an exit code. */
int kgwc_cmd_init(int argc, char **argv);
int kgwc_cmd_connect(int argc, char **argv);
int kgwc_cmd_status(int argc, char **argv);
int kgwc_cmd_disconnect(int argc, char **argv);
int kgwc_cmd_kubeconfig(int argc, char **argv);
int kgwc_cmd_export(int argc, char **argv);

/* Prints "Try `kgw-client CMD --help'." and returns KGWC_EXIT_USAGE. */
int kgwc_usage_error(const char *cmd);

#endif
