/* SPDX-License-Identifier: MIT */
/*
 * The live session's state: KGWC_STATE_DIR/PROFILE.json (0600, directory
 * 0700), written by connect once the tunnel is up and removed when it goes
 * down. It holds what status, disconnect and export need: the gateway and
 * its pin, the interface and backend, the tunnel process, and the session
 * as the gateway sent it, bearer token included. Never the private key:
 * export reads that back from the running tunnel.
 */
#ifndef KGWC_STATE_H
#define KGWC_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>
#include <net/if.h>

#include <jansson.h>

#include "client.h"
#include "session.h"

#define KGWC_STATE_VERSION 1

enum kgwc_backend { KGWC_BACKEND_AUTO, KGWC_BACKEND_KERNEL, KGWC_BACKEND_USERSPACE };

struct kgwc_state {
	char profile[KGWC_PROFILE_NAME_MAX + 1];
	struct kgwc_gateway gw;
	char interface[IFNAMSIZ];
	enum kgwc_backend backend;	/* KERNEL or USERSPACE once up */
	pid_t pid;			/* the process holding the tunnel */
	char endpoint[KGWC_ADDRESS_MAX + 1];	/* the WireGuard endpoint as configured */
	struct kgwc_session session;	/* secret: holds the token */
};

const char *kgwc_backend_name(enum kgwc_backend b);
int kgwc_backend_parse(const char *name, enum kgwc_backend *b) __attribute__((warn_unused_result));

/* The directory: $KGW_CLIENT_STATE_DIR if set (tests), else KGWC_STATE_DIR. */
const char *kgwc_state_dir(void);
int kgwc_state_path(const char *profile, char out[static PATH_MAX]) __attribute__((warn_unused_result));

/* Pure: to JSON (session_json is the gateway's object, kept whole) and back. */
json_t *kgwc_state_to_json(const struct kgwc_state *st, const json_t *session_json);
int kgwc_state_from_json(const json_t *o, struct kgwc_state *st, char err[static KGWC_ERR_MAX])
	__attribute__((warn_unused_result));

/* Atomic write (temporary file, fsync, rename), 0600. */
int kgwc_state_save(const struct kgwc_state *st, const json_t *session_json,
		    char err[static KGWC_ERR_MAX]) __attribute__((warn_unused_result));
/* -ENOENT when the profile has no live session (err is then empty). */
int kgwc_state_load(const char *profile, struct kgwc_state *st, char err[static KGWC_ERR_MAX])
	__attribute__((warn_unused_result));
int kgwc_state_remove(const char *profile);
void kgwc_state_wipe(struct kgwc_state *st);

/*
 * The name the tunnel process gives itself (prctl PR_SET_NAME), which
 * kgwc_state_alive() looks for: not the executable's file name, which
 * a symlink or a wrapper (valgrind) changes.
 */
#define KGWC_PROCESS_NAME "kgw-client"

/* Is the state's tunnel process still running (a kgw-client by that pid)? */
bool kgwc_state_alive(const struct kgwc_state *st);

#endif
