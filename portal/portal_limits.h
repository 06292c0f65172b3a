/* SPDX-License-Identifier: MIT */
/*
 * Every limit, time-out and protocol constant of kgw-portal, in one place.
 * Sizes are bytes, times are seconds.
 */
#ifndef KGW_PORTAL_LIMITS_H
#define KGW_PORTAL_LIMITS_H

/* ---- HTTP requests (the session API; the admin UI may pass its own) ---- */

/* "METHOD SP request-target SP HTTP/1.1", without the CRLF. */
#define KGW_HTTP_LINE_MAX 4096
/* Header lines together, counted as "name: value" plus CRLF each. */
#define KGW_HTTP_HEADERS_MAX 8192
#define KGW_HTTP_HEADER_COUNT_MAX 50
/* A session request is a few hundred bytes; 16 KiB leaves room and no more. */
#define KGW_HTTP_API_BODY_MAX 16384
/*
 * http-parser's own cap on request line plus headers, raw bytes including
 * the white space our count cannot see. The library keeps it in a global,
 * so it is one value for the whole process and must stay above the sum of
 * the limits any server in the process uses.
 */
#define KGW_HTTP_HEAD_BACKSTOP (KGW_HTTP_LINE_MAX + KGW_HTTP_HEADERS_MAX + 1024)

/* Longest Host header passed on to the backend (a DNS name and a port). */
#define KGW_HTTP_HOST_MAX 261

/* ---- connections ---- */

/*
 * From accept (or the end of the previous response) to a complete request,
 * TLS handshake included. A fixed deadline, not an idle timer, so a client
 * dribbling a byte a second (slowloris) is cut off all the same.
 */
#define KGW_PORTAL_REQUEST_TIMEOUT 10.0
/* To hand the whole response to a slow reader. */
#define KGW_PORTAL_WRITE_TIMEOUT 10.0
/* A handler (PAM, kgwd) that has not answered by then gets a 503 for it. */
#define KGW_PORTAL_HANDLER_TIMEOUT 30.0

/* The shortest session a client may ask for ("ttl"): below it, keepalives
 * and the handshake itself would eat the session. */
#define KGW_SESSION_TTL_MIN 5
/*
 * After the last response, read and drop what the client still sends for
 * this long before closing, so the close does not turn into a reset that
 * destroys the response (an early 413 or 431) before the client reads it.
 */
#define KGW_PORTAL_LINGER_TIMEOUT 2.0
/* How long to stop accepting when out of file descriptors. */
#define KGW_PORTAL_ACCEPT_PAUSE 1.0
#define KGW_PORTAL_MAX_CONNS 512
/* Per source address; IPv6 sources are counted by /64. */
#define KGW_PORTAL_MAX_CONNS_PER_SOURCE 16
#define KGW_PORTAL_MAX_REQUESTS_PER_CONN 100
#define KGW_PORTAL_LISTEN_BACKLOG 128
/* One TLS record's worth of plaintext. */
#define KGW_PORTAL_READ_CHUNK 16384
/* Strict-Transport-Security max-age: one year. */
#define KGW_PORTAL_HSTS_MAX_AGE 31536000

/* ---- the session API ---- */

#define KGW_USER_NAME_MAX 64
#define KGW_PASSWORD_MAX 1024
#define KGW_OTP_MIN_DIGITS 6
#define KGW_OTP_MAX_DIGITS 8
/* Bearer tokens are the backend's business; this only bounds what we accept. */
#define KGW_TOKEN_MAX 128
#define KGW_WG_KEY_LEN 32
/* Base64 of a 32-byte key, with its padding. */
#define KGW_WG_KEY_B64_LEN 44

/* ---- the admin UI ---- */

/* A handful of admins on the management network, not the Internet. */
#define KGW_ADMIN_MAX_CONNS 64

/* ---- PAM ---- */

/* The prompts our conversation answers (pam_kgw and most stock modules). */
#define KGW_PAM_PROMPT_PASSWORD "Password: "
#define KGW_PAM_PROMPT_OTP "Verification code: "
/* Jobs waiting for a worker, per worker; beyond that the API answers 503. */
#define KGW_PAM_QUEUE_PER_WORKER 16
#define KGW_PAM_WORKERS_MAX 64
/* At shutdown, how long to wait for logins still in PAM before leaving them. */
#define KGW_PAM_STOP_WAIT 5
/* Client asked to retry a full queue after this long. */
#define KGW_PAM_BUSY_RETRY 1

/* ---- failure throttling ---- */

/* Sources and user names tracked each; the least recently seen go first. */
#define KGW_THROTTLE_CAPACITY 4096
/* How many of the oldest entries eviction looks at for one not blocking. */
#define KGW_THROTTLE_EVICT_SCAN 32
/* A user's failure count is forgotten after this long without a failure. */
#define KGW_THROTTLE_USER_FORGET (24 * 3600)
/* The doubling lock-out stops growing here. */
#define KGW_THROTTLE_LOCKOUT_MAX (24 * 3600)

#endif
