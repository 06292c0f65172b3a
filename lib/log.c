/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <sodium.h>

#include "log.h"

/* Longer messages are cut; a log line is not the place for bulk data. */
#define KGW_LOG_LINE_MAX 1024

static struct {
	const char *ident;
	enum kgw_log_level level;
	unsigned int dest;
	kgw_log_sink_fn sink;
	void *sink_ctx;
} log_state = {
	.ident = "kgw",
	.level = KGW_LOG_INFO,
	.dest = KGW_LOG_TO_STDERR,
};

static const char *const level_names[] = {
	[KGW_LOG_ERR] = "err",
	[KGW_LOG_WARNING] = "warning",
	[KGW_LOG_NOTICE] = "notice",
	[KGW_LOG_INFO] = "info",
	[KGW_LOG_DEBUG] = "debug",
};

static const int syslog_priority[] = {
	[KGW_LOG_ERR] = LOG_ERR,
	[KGW_LOG_WARNING] = LOG_WARNING,
	[KGW_LOG_NOTICE] = LOG_NOTICE,
	[KGW_LOG_INFO] = LOG_INFO,
	[KGW_LOG_DEBUG] = LOG_DEBUG,
};

void kgw_log_open(const char *ident, enum kgw_log_level level, unsigned int dest)
{
	log_state.ident = ident;
	log_state.level = level;
	log_state.dest = dest;
	if (dest & KGW_LOG_TO_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void kgw_log_close(void)
{
	if (log_state.dest & KGW_LOG_TO_SYSLOG)
		closelog();
	log_state.dest = KGW_LOG_TO_STDERR;
}

void kgw_log_set_level(enum kgw_log_level level)
{
	log_state.level = level;
}

void kgw_log_set_sink(kgw_log_sink_fn sink, void *ctx)
{
	log_state.sink = sink;
	log_state.sink_ctx = ctx;
}

bool kgw_log_enabled(enum kgw_log_level level)
{
	return level <= log_state.level;
}

void kgw_vlog(enum kgw_log_level level, const char *fmt, va_list ap)
{
	char msg[KGW_LOG_LINE_MAX];
	int saved_errno = errno;

	if (!kgw_log_enabled(level))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_state.sink)
		log_state.sink(level, msg, log_state.sink_ctx);
	else {
		if (log_state.dest & KGW_LOG_TO_STDERR)
			fprintf(stderr, "%s: %s: %s\n", log_state.ident, level_names[level], msg);
		if (log_state.dest & KGW_LOG_TO_SYSLOG)
			syslog(syslog_priority[level], "%s", msg);
	}
	errno = saved_errno;
}

void kgw_log(enum kgw_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kgw_vlog(level, fmt, ap);
	va_end(ap);
}

int kgw_log_level_parse(const char *name, enum kgw_log_level *level)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (!strcmp(name, level_names[i])) {
			*level = (enum kgw_log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *kgw_log_level_name(enum kgw_log_level level)
{
	if ((size_t)level >= sizeof(level_names) / sizeof(level_names[0]))
		return "?";
	return level_names[level];
}

const char *kgw_log_key_tag(const uint8_t pub[static 32], char out[static KGW_LOG_KEY_TAG_LEN])
{
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(b64, sizeof(b64), pub, 32, sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, KGW_LOG_KEY_TAG_LEN, "%.8s…", b64);
	return out;
}

const char *kgw_log_quote(const char *untrusted, char *out, size_t out_len)
{
	static const char cut[] = "...";
	size_t i = 0;

	if (!out_len)
		return out;
	if (!untrusted)
		untrusted = "(null)";
	for (; untrusted[i] && i + 1 < out_len; i++) {
		unsigned char c = (unsigned char)untrusted[i];

		out[i] = (c < 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '\\' || c == '`')
			? '?' : (char)c;
	}
	out[i] = '\0';
	if (untrusted[i] && out_len > sizeof(cut))
		memcpy(out + out_len - sizeof(cut), cut, sizeof(cut));
	return out;
}
