/* SPDX-License-Identifier: MIT */
/*
 * kgwctl init: the first boot. Makes the database, the gateway's WireGuard
 * key, the portal's TLS certificate and key, and the first admin.
 *
 * Ownership: kgw-portal runs as the unprivileged user named by [gateway]
 * user (default kgw) and writes the database (failures, replay state,
 * sessions, audit), so when that user exists and we are root, the database
 * file and a directory we made for it go to that user, mode 0600 and 0750;
 * SQLite gives its -wal and -shm files the database file's owner when root
 * opens it later. The TLS key goes to that user too (the portal reads it).
 * The WireGuard key stays root's: kgwd reads it before it drops privileges.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "kgwctl.h"
#include "password.h"
#include "store_groups.h"
#include "store_users.h"

#define ADMIN_GROUP "admins"
/* A generated admin password: 20 characters of base64url, 120 bits. */
#define GENERATED_PASSWORD_BYTES 15

static const char usage[] =
"Usage: kgwctl init [OPTION]...\n"
"\n"
"Sets up a new gateway: creates the database (with its schema), the\n"
"gateway's WireGuard private key, a self-signed TLS certificate and key for\n"
"the portal, and the first admin user in the group `" ADMIN_GROUP "'. Paths come\n"
"from the configuration ([store] database, [gateway] private_key_file,\n"
"[portal] tls_certificate and tls_key) unless overridden. Existing files\n"
"are left alone and init fails, unless --force.\n"
"\n"
"It prints the WireGuard public key and the certificate's SHA-256\n"
"fingerprint, which clients pin, and the admin's password when it made one\n"
"(shown once, never stored in clear).\n"
"\n"
"Options:\n"
"      --wg-key=PATH        the WireGuard private key file (mode 0600)\n"
"      --tls-cert=PATH      the TLS certificate file (mode 0644)\n"
"      --tls-key=PATH       the TLS private key file (mode 0600)\n"
"      --hostname=NAME      the certificate's name (default: this host's name);\n"
"                           127.0.0.1 is always in its subjectAltName too\n"
"      --admin=NAME         the first admin's user name (default admin)\n"
"      --admin-password-stdin  read the admin's password from standard input;\n"
"                           otherwise one is generated and printed\n"
"      --owner=USER         who gets the database and TLS key when run as root\n"
"                           (default: [gateway] user, kgw; skipped if no such user)\n"
"      --force              replace existing files (the database too: all users,\n"
"                           sessions and the audit log are lost)\n"
"\n"
KGWCTL_COMMON_HELP;

enum {
	OPT_WG_KEY = OPT_FIRST_COMMAND_OPT, OPT_TLS_CERT, OPT_TLS_KEY, OPT_HOSTNAME, OPT_ADMIN,
	OPT_ADMIN_PW_STDIN, OPT_OWNER, OPT_FORCE,
};

struct init_opts {
	const char *wg_key, *tls_cert, *tls_key, *hostname, *admin, *owner;
	bool admin_pw_stdin, force;
};

static int init_opt(int c, const char *arg, void *ctx)
{
	struct init_opts *o = ctx;
	const char **field[] = {
		[OPT_WG_KEY - OPT_FIRST_COMMAND_OPT] = &o->wg_key,
		[OPT_TLS_CERT - OPT_FIRST_COMMAND_OPT] = &o->tls_cert,
		[OPT_TLS_KEY - OPT_FIRST_COMMAND_OPT] = &o->tls_key,
		[OPT_HOSTNAME - OPT_FIRST_COMMAND_OPT] = &o->hostname,
		[OPT_ADMIN - OPT_FIRST_COMMAND_OPT] = &o->admin,
		[OPT_OWNER - OPT_FIRST_COMMAND_OPT] = &o->owner,
	};

	if (c == OPT_ADMIN_PW_STDIN)
		o->admin_pw_stdin = true;
	else if (c == OPT_FORCE)
		o->force = true;
	else if (!arg[0]) {
		kgwctl_err("init: empty option value");
		return -1;
	} else {
		*field[c - OPT_FIRST_COMMAND_OPT] = arg;
	}
	return 0;
}

/* Which of the files exist already; prints each. */
static bool any_exist(const char *const *paths, size_t n)
{
	bool any = false;
	struct stat st;

	for (size_t i = 0; i < n; i++) {
		if (!lstat(paths[i], &st)) {
			kgwctl_err("init: %s exists (use --force to replace it)", paths[i]);
			any = true;
		}
	}
	return any;
}

/* 32 random bytes, clamped as X25519 wants (what `wg genkey' makes). */
static int make_wg_key(const char *path, bool force, char pub_b64[static 45])
{
	uint8_t priv[32], pub[32];
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL) + 1];
	int ret;

	randombytes_buf(priv, sizeof(priv));
	priv[0] &= 248;
	priv[31] = (priv[31] & 127) | 64;
	sodium_bin2base64(b64, sizeof(b64), priv, sizeof(priv), sodium_base64_VARIANT_ORIGINAL);
	strcat(b64, "\n");
	ret = crypto_scalarmult_base(pub, priv) ? -EINVAL : 0;
	if (!ret)
		ret = kgwctl_write_file(path, b64, strlen(b64), 0600, force);
	sodium_bin2base64(pub_b64, 45, pub, sizeof(pub), sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(priv, sizeof(priv));
	sodium_memzero(b64, sizeof(b64));
	return ret;
}

/* The admin: a user in group admins, with a password given or generated. */
static int make_admin(struct kgwctl *ctl, const char *name, bool from_stdin,
		      char generated[static 32])
{
	char hash[KGW_PASSWORD_HASH_MAX], *pw = NULL;
	uint8_t rnd[GENERATED_PASSWORD_BYTES];
	int64_t now = (int64_t)time(NULL);
	int ret;

	generated[0] = '\0';
	if (from_stdin) {
		pw = kgwctl_read_password(true);
		if (!pw)
			return -EINVAL;
		ret = kgw_password_hash(pw, hash);
		kgwctl_password_free(pw);
	} else {
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2base64(generated, 32, rnd, sizeof(rnd),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		sodium_memzero(rnd, sizeof(rnd));
		ret = kgw_password_hash(generated, hash);
	}
	if (ret) {
		kgwctl_err("init: cannot hash the password: %s", strerror(-ret));
		return ret;
	}
	ret = kgw_store_user_add(ctl->store, name, hash, now);
	if (!ret)
		ret = kgw_store_group_add(ctl->store, ADMIN_GROUP, now);
	if (!ret)
		ret = kgw_store_member_add(ctl->store, name, ADMIN_GROUP);
	if (ret)
		kgwctl_store_err(ctl, ret, "init");
	return ret;
}

/* Gives the database (and its directory, if ours) and the TLS key to the portal's user. */
static int hand_over(struct kgwctl *ctl, const char *db, bool made_dir, const char *tls_key,
		     const char *owner, bool explicit)
{
	struct passwd *pw = getpwnam(owner);
	char dir[4096], *slash;

	if (geteuid() != 0)
		return 0;
	if (!pw) {
		if (explicit) {
			kgwctl_err("init: --owner: no user `%.64s'", owner);
			return -ENOENT;
		}
		fprintf(stderr, "kgwctl: note: no user `%s' yet; files stay root's "
			"(create it, then chown the database and TLS key)\n", owner);
		return 0;
	}
	if (kgw_store_chown(ctl->store, pw->pw_uid, pw->pw_gid)) {
		kgwctl_err("init: %s", kgw_store_error(ctl->store));
		return -EPERM;
	}
	snprintf(dir, sizeof(dir), "%s", db);
	slash = strrchr(dir, '/');
	if (made_dir && slash && slash != dir) {
		*slash = '\0';
		if (chown(dir, pw->pw_uid, pw->pw_gid)) {
			kgwctl_err("init: chown %s: %s", dir, strerror(errno));
			return -errno;
		}
	}
	if (chown(tls_key, pw->pw_uid, pw->pw_gid)) {
		kgwctl_err("init: chown %s: %s", tls_key, strerror(errno));
		return -errno;
	}
	return 0;
}

static void remove_db(const char *db)
{
	char p[4200];

	unlink(db);
	snprintf(p, sizeof(p), "%s-wal", db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db);
	unlink(p);
}

static void report(struct kgwctl *ctl, const char *const *paths, const char *pub,
		   const char *fp, const char *admin, const char *generated)
{
	if (ctl->json) {
		kgwctl_json_print(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			"database", paths[0], "wireguard_key", paths[1],
			"wireguard_public_key", pub, "tls_certificate", paths[2],
			"tls_key", paths[3], "tls_fingerprint_sha256", fp,
			"admin", admin, "admin_password", generated));
		return;
	}
	printf("database:              %s\n", paths[0]);
	printf("wireguard key:         %s\n", paths[1]);
	printf("wireguard public key:  %s\n", pub);
	printf("tls certificate:       %s\n", paths[2]);
	printf("tls key:               %s\n", paths[3]);
	printf("tls fingerprint:       SHA256:%s\n", fp);
	printf("admin:                 %s (group " ADMIN_GROUP ")\n", admin);
	if (generated[0])
		printf("admin password:        %s\n"
		       "                       (shown only now; change it with "
		       "`kgwctl user passwd %s')\n", generated, admin);
	printf("\nNext: enrol the admin's one-time code with `kgwctl otp enroll %s'.\n", admin);
}

int kgwctl_init(struct kgwctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "wg-key", required_argument, NULL, OPT_WG_KEY },
		{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
		{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
		{ "hostname", required_argument, NULL, OPT_HOSTNAME },
		{ "admin", required_argument, NULL, OPT_ADMIN },
		{ "admin-password-stdin", no_argument, NULL, OPT_ADMIN_PW_STDIN },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ NULL, 0, NULL, 0 },
	};
	struct init_opts o = { .admin = "admin" };
	char host[256] = "", pub[45] = "", fp[KGWCTL_FINGERPRINT_MAX], generated[32] = "";
	const char *paths[4];
	bool made_dir = false, dummy;
	int n, ret;

	n = kgwctl_parse(ctl, argc, argv, "kgwctl init", usage, opts, init_opt, &o);
	if (n < 0 || !kgwctl_nargs("init", n, 0, 0))
		return KGWCTL_USAGE;
	if (!kgw_store_name_valid(o.admin)) {
		kgwctl_err("init: --admin: not a valid user name: `%.64s'", o.admin);
		return KGWCTL_USAGE;
	}
	if (!kgwctl_load_config(ctl))
		return KGWCTL_FAIL;
	paths[0] = ctl->db_path ? ctl->db_path : ctl->cfg.database;
	paths[1] = o.wg_key ? o.wg_key : ctl->cfg.private_key_file;
	paths[2] = o.tls_cert ? o.tls_cert : ctl->cfg.tls_certificate;
	paths[3] = o.tls_key ? o.tls_key : ctl->cfg.tls_key;
	if (!o.hostname) {
		if (gethostname(host, sizeof(host) - 1) || !host[0])
			snprintf(host, sizeof(host), "kgw");
		o.hostname = host;
	}
	if (!o.force && any_exist(paths, 4))
		return KGWCTL_FAIL;
	for (int i = 0; i < 4; i++) {
		ret = kgwctl_make_parent(paths[i], i ? &dummy : &made_dir);
		if (ret) {
			kgwctl_err("init: cannot make the directory of %s: %s", paths[i],
				   strerror(-ret));
			return KGWCTL_FAIL;
		}
	}
	if (o.force)
		remove_db(paths[0]);
	ctl->db_path = paths[0];
	if (!kgwctl_open(ctl, true))
		return KGWCTL_FAIL;
	ret = make_wg_key(paths[1], o.force, pub);
	if (ret) {
		kgwctl_err("init: cannot write %s: %s", paths[1], strerror(-ret));
		return KGWCTL_FAIL;
	}
	ret = kgwctl_tls_make(paths[2], paths[3], o.hostname, o.force, fp);
	if (ret) {
		kgwctl_err("init: cannot make the TLS certificate%s: %s",
			   ret == -EINVAL ? " (is the host name valid?)" : "", strerror(-ret));
		return KGWCTL_FAIL;
	}
	if (make_admin(ctl, o.admin, o.admin_pw_stdin, generated))
		return KGWCTL_FAIL;
	if (hand_over(ctl, paths[0], made_dir, paths[3], o.owner ? o.owner : ctl->cfg.user,
		      o.owner != NULL))
		return KGWCTL_FAIL;
	kgwctl_audit(ctl, "init", o.admin, NULL);
	report(ctl, paths, pub, fp, o.admin, generated);
	sodium_memzero(generated, sizeof(generated));
	return KGWCTL_OK;
}
