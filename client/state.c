/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "profile.h"
#include "state.h"

static const char *const backend_names[] = {
	[KGWC_BACKEND_AUTO] = "auto",
	[KGWC_BACKEND_KERNEL] = "kernel",
	[KGWC_BACKEND_USERSPACE] = "userspace",
};

const char *kgwc_backend_name(enum kgwc_backend b)
{
	return (size_t)b < sizeof(backend_names) / sizeof(backend_names[0]) ? backend_names[b] : "?";
}

int kgwc_backend_parse(const char *name, enum kgwc_backend *b)
{
	for (size_t i = 0; i < sizeof(backend_names) / sizeof(backend_names[0]); i++) {
		if (!strcmp(name, backend_names[i])) {
			*b = (enum kgwc_backend)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *kgwc_state_dir(void)
{
	const char *d = getenv("KGW_CLIENT_STATE_DIR");

	return d && d[0] == '/' ? d : KGWC_STATE_DIR;
}

int kgwc_state_path(const char *profile, char out[static PATH_MAX])
{
	int n;

	if (!kgwc_profile_name_valid(profile))
		return -EINVAL;
	n = snprintf(out, PATH_MAX, "%s/%s.json", kgwc_state_dir(), profile);
	return n > 0 && n < PATH_MAX ? 0 : -ENAMETOOLONG;
}

json_t *kgwc_state_to_json(const struct kgwc_state *st, const json_t *session_json)
{
	char pin[KGWC_PIN_HEX_MAX];

	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:O}",
			 "version", KGWC_STATE_VERSION, "profile", st->profile,
			 "gateway", st->gw.address, "pin", kgwc_pin_format(st->gw.pin, pin),
			 "interface", st->interface, "backend", kgwc_backend_name(st->backend),
			 "pid", (json_int_t)st->pid, "endpoint", st->endpoint,
			 "session", session_json);
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int kgwc_state_from_json(const json_t *o, struct kgwc_state *st, char err[static KGWC_ERR_MAX])
{
	const char *profile = str(o, "profile"), *gw = str(o, "gateway"), *pin = str(o, "pin");
	const char *ifname = str(o, "interface"), *backend = str(o, "backend"), *ep = str(o, "endpoint");
	json_int_t pid = json_integer_value(json_object_get(o, "pid"));
	const char *why = NULL;

	memset(st, 0, sizeof(*st));
	if (json_integer_value(json_object_get(o, "version")) != KGWC_STATE_VERSION)
		why = "an unknown version";
	else if (!profile || !kgwc_profile_name_valid(profile))
		why = "no valid `profile'";
	else if (!gw || kgwc_address_parse(gw, st->gw.host, &st->gw.port))
		why = "no valid `gateway'";
	else if (!pin || kgwc_pin_parse(pin, st->gw.pin))
		why = "no valid `pin'";
	else if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ)
		why = "no valid `interface'";
	else if (!backend || kgwc_backend_parse(backend, &st->backend) || st->backend == KGWC_BACKEND_AUTO)
		why = "no valid `backend'";
	else if (pid <= 0 || pid > INT32_MAX)
		why = "no valid `pid'";
	else if (!ep || strlen(ep) > KGWC_ADDRESS_MAX)
		why = "no valid `endpoint'";
	if (why) {
		snprintf(err, KGWC_ERR_MAX, "the state has %s", why);
		goto bad;
	}
	snprintf(st->profile, sizeof(st->profile), "%s", profile);
	snprintf(st->gw.address, sizeof(st->gw.address), "%s", gw);
	snprintf(st->interface, sizeof(st->interface), "%s", ifname);
	snprintf(st->endpoint, sizeof(st->endpoint), "%s", ep);
	st->pid = (pid_t)pid;
	if (kgwc_session_parse(json_object_get(o, "session"), &st->session, err))
		goto bad;
	return 0;
bad:
	kgwc_state_wipe(st);
	return -EINVAL;
}

void kgwc_state_wipe(struct kgwc_state *st)
{
	sodium_memzero(st, sizeof(*st));
}

int kgwc_state_save(const struct kgwc_state *st, const json_t *session_json,
		    char err[static KGWC_ERR_MAX])
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	json_t *o = NULL;
	char *text = NULL;
	int fd = -1, ret;
	size_t len;

	if ((ret = kgwc_state_path(st->profile, path)))
		goto fail;
	if (mkdir(kgwc_state_dir(), 0700) < 0 && errno != EEXIST) {
		ret = -errno;
		goto fail;
	}
	o = kgwc_state_to_json(st, session_json);
	text = o ? json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	if (!text) {
		ret = -ENOMEM;
		goto fail;
	}
	len = strlen(text);
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);	/* 0600 */
	if (fd < 0) {
		ret = -errno;
		goto fail;
	}
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) < 0)
		ret = errno ? -errno : -EIO;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
fail:
	if (ret)
		snprintf(err, KGWC_ERR_MAX, "cannot write the session state in %s: %s",
			 kgwc_state_dir(), strerror(-ret));
	if (text) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	json_decref(o);
	return ret;
}

int kgwc_state_load(const char *profile, struct kgwc_state *st, char err[static KGWC_ERR_MAX])
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *o;
	int ret;

	memset(st, 0, sizeof(*st));
	err[0] = '\0';
	if ((ret = kgwc_state_path(profile, path)))
		return ret;
	o = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return -ENOENT;
		snprintf(err, KGWC_ERR_MAX, "%.300s: %s", path, jerr.text);
		return -EINVAL;
	}
	ret = kgwc_state_from_json(o, st, err);
	if (ret) {
		char why[KGWC_ERR_MAX];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, KGWC_ERR_MAX, "%.200s: %.300s", path, why);
	}
	/* jansson's copy of the token. */
	{
		json_t *tok = json_object_get(json_object_get(o, "session"), "token");

		if (json_is_string(tok))
			sodium_memzero((char *)json_string_value(tok), json_string_length(tok));
	}
	json_decref(o);
	return ret;
}

int kgwc_state_remove(const char *profile)
{
	char path[PATH_MAX];

	if (kgwc_state_path(profile, path))
		return -EINVAL;
	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

bool kgwc_state_alive(const struct kgwc_state *st)
{
	char path[64], comm[32] = "";
	FILE *f;
	bool ours;

	if (st->pid <= 0 || (kill(st->pid, 0) < 0 && errno != EPERM))
		return false;
	/* A recycled pid belongs to some other program. */
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)st->pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	ours = fgets(comm, sizeof(comm), f) && !strcmp(comm, KGWC_PROCESS_NAME "\n");
	fclose(f);
	return ours;
}
