/* SPDX-License-Identifier: MIT */
/*
 * How the profile's last session ended, when it ended by itself: the tunnel
 * process writes KGWC_STATE_DIR/PROFILE.ended at expiry, so that `status'
 * can say the session expired rather than only "not connected". It holds
 * no secret: the user, the session id and the expiry time.
 */
#ifndef KGWC_ENDED_H
#define KGWC_ENDED_H

#include <stdint.h>

#include "client.h"
#include "session.h"

struct kgwc_ended {
	char user[KGWC_USER_MAX + 1];
	char session[KGWC_SESSION_ID_MAX + 1];
	int64_t expired;	/* Unix time */
};

int kgwc_ended_note(const char *profile, const struct kgwc_session *s);
/* -ENOENT when there is no record. */
int kgwc_ended_load(const char *profile, struct kgwc_ended *e);
void kgwc_ended_clear(const char *profile);

#endif
