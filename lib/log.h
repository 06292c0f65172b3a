/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr and/or syslog, with levels.
 *
 * The rule: no secret is ever an argument to these functions. Private keys,
 * preshared keys, passwords, one-time codes, TOTP secrets and bearer tokens
 * stay out of logs entirely; log the user, the source address and the event.
 * Public keys are logged through kgw_log_key_tag() (a short, stable tag, as
 * `wg show' abbreviates them), and any string that came from the network or
 * a user through kgw_log_quote(), so it cannot forge log lines.
 * tools/check-log-secrets enforces the first half of the rule on the source.
 */
#ifndef KGW_LOG_H
#define KGW_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kgw_log_level {
	KGW_LOG_ERR,
	KGW_LOG_WARNING,
	KGW_LOG_NOTICE,
	KGW_LOG_INFO,
	KGW_LOG_DEBUG,
};

enum {
	KGW_LOG_TO_STDERR = 1 << 0,
	KGW_LOG_TO_SYSLOG = 1 << 1,
};

/* A sink replaces stderr/syslog; tests use it to see what was logged. */
typedef void (*kgw_log_sink_fn)(enum kgw_log_level level, const char *msg, void *ctx);

void kgw_log_open(const char *ident, enum kgw_log_level level, unsigned int dest);
void kgw_log_close(void);
void kgw_log_set_level(enum kgw_log_level level);
void kgw_log_set_sink(kgw_log_sink_fn sink, void *ctx);
bool kgw_log_enabled(enum kgw_log_level level);

void kgw_log(enum kgw_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kgw_vlog(enum kgw_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define kgw_err(...) kgw_log(KGW_LOG_ERR, __VA_ARGS__)
#define kgw_warn(...) kgw_log(KGW_LOG_WARNING, __VA_ARGS__)
#define kgw_notice(...) kgw_log(KGW_LOG_NOTICE, __VA_ARGS__)
#define kgw_info(...) kgw_log(KGW_LOG_INFO, __VA_ARGS__)
#define kgw_debug(...) kgw_log(KGW_LOG_DEBUG, __VA_ARGS__)

/* "err", "warning", "notice", "info", "debug"; -EINVAL for anything else. */
int kgw_log_level_parse(const char *name, enum kgw_log_level *level)
	__attribute__((warn_unused_result));
const char *kgw_log_level_name(enum kgw_log_level level);

/* The first 8 characters of the key's base64 and an ellipsis: "xTIBA5rb…". */
#define KGW_LOG_KEY_TAG_LEN 16
const char *kgw_log_key_tag(const uint8_t pub[static 32], char out[static KGW_LOG_KEY_TAG_LEN]);

/*
 * Copies at most out_len - 1 bytes of untrusted text, replacing control
 * characters, quotes, backslashes and non-ASCII bytes with `?', and marks a
 * cut with "...". Returns out.
 */
const char *kgw_log_quote(const char *untrusted, char *out, size_t out_len);

#endif
