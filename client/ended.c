/* SPDX-License-Identifier: MIT */
/* The record of a session that expired while its tunnel was up. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ended.h"
#include "state.h"

static int ended_path(const char *profile, char out[static PATH_MAX])
{
	char state[PATH_MAX];
	int n;

	if (kgwc_state_path(profile, state))
		return -EINVAL;
	n = snprintf(out, PATH_MAX, "%.*s.ended", (int)(strlen(state) - strlen(".json")), state);
	return n > 0 && n < PATH_MAX ? 0 : -ENAMETOOLONG;
}

int kgwc_ended_note(const char *profile, const struct kgwc_session *s)
{
	char path[PATH_MAX];
	json_t *o;
	int ret;

	if ((ret = ended_path(profile, path)))
		return ret;
	o = json_pack("{s:s, s:s, s:I}", "user", s->user, "session", s->id, "expired",
		      (json_int_t)s->expires);
	/* The state directory is the user's own (0700): no temporary file needed. */
	ret = o && !json_dump_file(o, path, JSON_COMPACT) ? 0 : -EIO;
	json_decref(o);
	return ret;
}

int kgwc_ended_load(const char *profile, struct kgwc_ended *e)
{
	char path[PATH_MAX];
	const char *user, *session;
	json_int_t expired;
	json_t *o;
	int ret;

	memset(e, 0, sizeof(*e));
	if ((ret = ended_path(profile, path)))
		return ret;
	o = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	if (!o)
		return access(path, F_OK) < 0 && errno == ENOENT ? -ENOENT : -EINVAL;
	ret = -EINVAL;
	if (!json_unpack(o, "{s:s, s:s, s:I}", "user", &user, "session", &session, "expired", &expired) &&
	    strlen(user) <= KGWC_USER_MAX && strlen(session) <= KGWC_SESSION_ID_MAX) {
		snprintf(e->user, sizeof(e->user), "%s", user);
		snprintf(e->session, sizeof(e->session), "%s", session);
		e->expired = expired;
		ret = 0;
	}
	json_decref(o);
	return ret;
}

void kgwc_ended_clear(const char *profile)
{
	char path[PATH_MAX];

	if (!ended_path(profile, path))
		unlink(path);
}
