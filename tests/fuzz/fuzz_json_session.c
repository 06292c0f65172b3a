/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the JSON bodies of the session API, both ends.
 * The first byte picks the reader, the rest is the body:
 *
 *   0  kgw-portal: POST /api/v1/sessions {user, password, otp, public_key}
 *   1  kgw-client: the portal's answer (an error body, or a session)
 *   2  kgw-client: its state file (a session with the tunnel's details)
 *
 * The control socket's JSON lines have their own harness (fuzz_ctl).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"		/* client/api.h: kgwc_api_status() */
#include "json.h"
#include "login.h"
#include "session.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void portal_login(const char *body, size_t len)
{
	char err[KGW_JSON_ERR_MAX] = "";
	struct kgw_login l;
	json_t *o = kgw_json_parse_object(body, len, err);

	if (!o) {
		if (!err[0])
			abort();
		return;
	}
	if (kgw_login_read(o, &l, err) == 0) {
		/* What the API hands to PAM must be what it checked. */
		if (!l.user || !l.password || !l.otp || strlen(l.otp) < KGW_OTP_MIN_DIGITS ||
		    strlen(l.otp) > KGW_OTP_MAX_DIGITS || strlen(l.user) > KGW_USER_NAME_MAX)
			abort();
	} else if (!err[0] || l.password || l.otp) {
		abort();
	}
	json_decref(o);
}

static void client_answer(uint8_t status_sel, const char *body, size_t len)
{
	static const int statuses[] = { 201, 200, 400, 401, 403, 404, 415, 429, 500, 503 };
	int status = statuses[status_sel % (sizeof(statuses) / sizeof(statuses[0]))];
	char err[KGWC_ERR_MAX], endpoint[KGWC_ADDRESS_MAX + 1];
	struct kgwc_gateway gw = { .address = "gw.example:8443", .host = "gw.example", .port = 8443 };
	struct kgwc_session s;
	json_t *o;

	if (kgwc_api_status(status, len ? body : NULL, len, "30", err) != KGWC_EXIT_OK)
		return;
	o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(o) && kgwc_session_parse(o, &s, err) == 0) {
		if (kgwc_session_endpoint(&s, &gw, endpoint) == 0 &&
		    !memchr(endpoint, '\0', sizeof(endpoint)))
			abort();
		kgwc_session_wipe(&s);
	}
	json_decref(o);
}

static void client_state(const char *body, size_t len)
{
	char err[KGWC_ERR_MAX];
	struct kgwc_state st;
	json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);

	memset(&st, 0, sizeof(st));
	if (o && kgwc_state_from_json(o, &st, err) == 0) {
		/* What was read must write back. */
		json_t *again = kgwc_state_to_json(&st, json_object_get(o, "session"));

		json_decref(again);
	}
	kgwc_state_wipe(&st);
	json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	const char *body = (const char *)data + 1;

	if (!ready) {
		kgw_json_init();
		ready = true;
	}
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		portal_login(body, size - 1);
		break;
	case 1:
		client_answer(data[0] / 3, body, size - 1);
		break;
	default:
		client_state(body, size - 1);
		break;
	}
	return 0;
}
