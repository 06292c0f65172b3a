/* SPDX-License-Identifier: MIT */
/*
 * kgwctl: one file per command (kgwctl_init.c, kgwctl_user.c, ...), each a
 * function taking its own argv (argv[0] is the command's name), like
 * wireguard-tools' wg. This header holds what they share.
 */
#ifndef KGW_KGWCTL_H
#define KGW_KGWCTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "conf.h"
#include "store.h"

/* Exit statuses, as --help documents them. */
enum {
	KGWCTL_OK = 0,
	KGWCTL_FAIL = 1,	/* the operation failed (no such user, store error...) */
	KGWCTL_USAGE = 2,	/* bad command line */
};

/* Long-option values shared by every command. */
enum {
	OPT_DB = 1000,
	OPT_JSON,
	OPT_FIRST_COMMAND_OPT,	/* commands number their own options from here */
};

#define KGWCTL_COMMON_LONGOPTS \
	{ "db", required_argument, NULL, OPT_DB }, \
	{ "config", required_argument, NULL, 'c' }, \
	{ "json", no_argument, NULL, OPT_JSON }, \
	{ "help", no_argument, NULL, 'h' }
#define KGWCTL_COMMON_SHORTOPTS "c:h"
#define KGWCTL_COMMON_HELP \
	"Common options:\n" \
	"  -c, --config=PATH   configuration file (default " KGW_CONF_DEFAULT_PATH ")\n" \
	"      --db=PATH       the kgw database (default: [store] database, " \
	KGW_STORE_DEFAULT_PATH ")\n" \
	"      --json          print machine-readable JSON instead of text\n" \
	"  -h, --help          show this help and exit\n"

struct kgwctl {
	const char *config_path;
	bool config_given;
	const char *db_path;	/* --db, else the configuration's */
	bool json;
	struct kgw_config cfg;
	bool cfg_loaded;
	struct kgw_store *store;
	char actor[KGW_NAME_MAX + 1];	/* who is running this, for the audit log */
};

/* A command: its name, one line of help, and its function. */
struct kgwctl_command {
	const char *name;
	const char *summary;
	int (*run)(struct kgwctl *ctl, int argc, char **argv);
};

/* Dispatches argv[1] among `cmds'; `usage' is the group's help text. */
int kgwctl_dispatch(struct kgwctl *ctl, const char *group, const struct kgwctl_command *cmds,
		    size_t n, const char *usage, int argc, char **argv);

/*
 * Handles an option every command accepts. Returns 1 if it was one, 0 if
 * not, and for --help prints `usage' and exits 0; an unknown option prints
 * a hint and returns -1.
 */
int kgwctl_common_opt(struct kgwctl *ctl, int c, const char *arg, const char *cmd,
		      const char *usage);
/*
 * Parses argv (argv[0] is replaced by `cmd', e.g. "kgwctl user add") with
 * the common options and the command's `extra' long options (values from
 * OPT_FIRST_COMMAND_OPT on), which go to fn; fn returns 0, or -1 after
 * printing why. Returns the number of positional arguments, which start at
 * argv[optind], or -1 after a usage error was printed.
 */
int kgwctl_parse(struct kgwctl *ctl, int argc, char **argv, const char *cmd, const char *usage,
		 const struct option *extra, int (*fn)(int c, const char *arg, void *ctx),
		 void *ctx) __attribute__((warn_unused_result));
/* Checks the positional argument count; prints an error naming `cmd' if wrong. */
bool kgwctl_nargs(const char *cmd, int have, int min, int max);

/* Loads the configuration (once); prints the error and returns false on failure. */
bool kgwctl_load_config(struct kgwctl *ctl);
/* Opens the store (once), creating it only when `create'. */
bool kgwctl_open(struct kgwctl *ctl, bool create);

/*
 * The error printers: "kgwctl: ..." on stderr. kgwctl_store_err adds the
 * store's reason and returns the exit status (KGWCTL_USAGE for -EINVAL).
 */
void kgwctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kgwctl_store_err(struct kgwctl *ctl, int ret, const char *what);

/* Appends an audit entry for an admin action; a failure is reported, not fatal. */
void kgwctl_audit(struct kgwctl *ctl, const char *event, const char *user, const char *detail);

/*
 * Reads a new password: the first line of stdin (from_stdin), else twice
 * from the terminal without echo. Checks KGW_PASSWORD_MIN/MAX. Returns a
 * sodium_malloc'd string to free with kgwctl_password_free(), or NULL
 * after printing why.
 */
char *kgwctl_read_password(bool from_stdin);
void kgwctl_password_free(char *pw);
/* A first line of stdin, up to max - 1 bytes, newline stripped; false on EOF or too long. */
bool kgwctl_read_line(char *buf, size_t max);

/* "2024-05-01T12:00:00Z", or "never" for 0. */
const char *kgwctl_time(int64_t t, char out[static 32]);
/* "@UNIX", "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" or "never" (0). */
int kgwctl_parse_time(const char *text, int64_t *out) __attribute__((warn_unused_result));
/* A non-negative decimal number up to max. */
int kgwctl_parse_uint(const char *text, unsigned int max, unsigned int *out)
	__attribute__((warn_unused_result));

/* Prints a JSON value with a newline and releases it. */
int kgwctl_json_print(json_t *v);

/* The command groups. */
int kgwctl_init(struct kgwctl *ctl, int argc, char **argv);
int kgwctl_user(struct kgwctl *ctl, int argc, char **argv);
int kgwctl_otp(struct kgwctl *ctl, int argc, char **argv);
int kgwctl_group(struct kgwctl *ctl, int argc, char **argv);
int kgwctl_sessions(struct kgwctl *ctl, int argc, char **argv);
int kgwctl_audit_cmd(struct kgwctl *ctl, int argc, char **argv);

/* kgwctl_tls.c: a self-signed ECDSA P-256 certificate for the portal. */
#define KGWCTL_FINGERPRINT_MAX (32 * 3)
int kgwctl_tls_make(const char *cert_path, const char *key_path, const char *hostname,
		    bool force, char fingerprint[static KGWCTL_FINGERPRINT_MAX]);

/* kgwctl_files.c: files made by init. */
/* Writes data to path with mode, refusing an existing file unless force. */
int kgwctl_write_file(const char *path, const void *data, size_t len, unsigned int mode,
		      bool force) __attribute__((warn_unused_result));
/* mkdir -p of path's directory (0750); true if it made the last one. */
int kgwctl_make_parent(const char *path, bool *made) __attribute__((warn_unused_result));

#endif
