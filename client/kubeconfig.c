/* SPDX-License-Identifier: MIT */
/* kgw-client kubeconfig: a cluster entry for the API behind the gateway. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "kubecfg.h"
#include "log.h"
#include "profile.h"
#include "state.h"

static const char usage[] =
"Usage: kgw-client kubeconfig [--profile NAME|PATH] [--name NAME] [--server URL]\n"
"                             [--certificate-authority FILE | --insecure-skip-tls-verify]\n"
"                             [--merge [--kubeconfig FILE]]\n"
"\n"
"Prints a kubeconfig with a cluster entry for the private Kubernetes API the\n"
"live session reaches (https://ADDRESS:PORT of its destination), or merges\n"
"that entry into a kubeconfig file: an entry of the same name is replaced,\n"
"everything else is kept (comments are not). Credentials for the API are not\n"
"kgw's: point a context at this cluster and your usual user, e.g.\n"
"  kubectl config set-context kgw --cluster kgw-default --user ME\n"
"\n"
"Options:\n"
"  -p, --profile NAME|PATH        which profile (default `" KGWC_DEFAULT_PROFILE "')\n"
"  -n, --name NAME                the cluster's name (default kgw-PROFILE)\n"
"  -s, --server URL               the API server, if not the session's destination\n"
"                                 (no live session is needed then)\n"
"      --certificate-authority FILE  the API server's CA (PEM), embedded\n"
"      --insecure-skip-tls-verify     do not verify the API server's certificate\n"
"  -m, --merge                    merge into the kubeconfig file instead of printing\n"
"  -k, --kubeconfig FILE          the file to merge into (default: the first of\n"
"                                 $KUBECONFIG, else ~/.kube/config)\n"
"  -h, --help\n"
"\n"
"Exit status: 0 done, 1 error, 2 usage error, 7 not connected (and no --server).\n";

enum { OPT_CA = 256, OPT_INSECURE };

struct kube_opts {
	const char *profile, *name, *server, *ca_file, *file;
	bool insecure, merge;
};

/* A kubeconfig larger than this is not one we should rewrite. */
#define KUBECONFIG_MAX (4 * 1024 * 1024)
#define CA_FILE_MAX (1024 * 1024)

static int parse(int argc, char **argv, struct kube_opts *o)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "server", required_argument, NULL, 's' },
		{ "certificate-authority", required_argument, NULL, OPT_CA },
		{ "insecure-skip-tls-verify", no_argument, NULL, OPT_INSECURE },
		{ "merge", no_argument, NULL, 'm' },
		{ "kubeconfig", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "p:n:s:mk:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': o->profile = optarg; break;
		case 'n': o->name = optarg; break;
		case 's': o->server = optarg; break;
		case OPT_CA: o->ca_file = optarg; break;
		case OPT_INSECURE: o->insecure = true; break;
		case 'm': o->merge = true; break;
		case 'k': o->file = optarg; break;
		case 'h': fputs(usage, stdout); return 1;
		default: return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "kgw-client kubeconfig: unexpected argument `%s'\n", argv[optind]);
		return -1;
	}
	if (o->ca_file && o->insecure) {
		fprintf(stderr, "kgw-client kubeconfig: --certificate-authority or "
			"--insecure-skip-tls-verify, not both\n");
		return -1;
	}
	if (o->file && !o->merge) {
		fprintf(stderr, "kgw-client kubeconfig: --kubeconfig goes with --merge\n");
		return -1;
	}
	return 0;
}

/* The whole file, NUL-terminated; -ENOENT, -EFBIG past max. */
static int slurp(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf;
	int ret = 0;

	*out = NULL;
	*len = 0;
	if (!f)
		return -errno;
	buf = malloc(max + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	*len = fread(buf, 1, max + 1, f);
	if (ferror(f))
		ret = -EIO;
	else if (*len > max)
		ret = -EFBIG;
	fclose(f);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[*len] = '\0';
	*out = buf;
	return 0;
}

static bool url_ok(const char *u)
{
	if (strncmp(u, "https://", 8) || strlen(u) > KGWC_KUBE_SERVER_MAX || !u[8])
		return false;
	for (; *u; u++)
		if (*u <= ' ' || *u >= 127)
			return false;
	return true;
}

static bool name_ok(const char *n)
{
	if (!*n || strlen(n) > KGWC_KUBE_NAME_MAX)
		return false;
	for (; *n; n++)
		if (*n <= ' ' || *n >= 127)
			return false;
	return true;
}

static int ca_data(const char *file, char **b64)
{
	char *pem;
	size_t len, cap;
	int ret = slurp(file, CA_FILE_MAX, &pem, &len);

	if (ret) {
		kgw_err("%s: %s", file, strerror(-ret));
		return KGWC_EXIT_ERROR;
	}
	if (!strstr(pem, "-----BEGIN CERTIFICATE-----")) {
		kgw_err("%s: not a PEM certificate", file);
		free(pem);
		return KGWC_EXIT_ERROR;
	}
	cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	*b64 = malloc(cap);
	if (*b64)
		sodium_bin2base64(*b64, cap, (const unsigned char *)pem, len, sodium_base64_VARIANT_ORIGINAL);
	free(pem);
	return *b64 ? KGWC_EXIT_OK : KGWC_EXIT_ERROR;
}

/* From the live session unless --server said. */
static int cluster_from(const struct kube_opts *o, struct kgwc_kube_cluster *c)
{
	struct kgwc_profile_ref ref;
	struct kgwc_state st;
	char err[KGWC_ERR_MAX];
	int ret;

	if (kgwc_profile_resolve(o->profile, &ref, err)) {
		kgw_err("%s", err);
		return KGWC_EXIT_USAGE;
	}
	snprintf(c->name, sizeof(c->name), "kgw-%s", ref.name);
	if (o->name)
		snprintf(c->name, sizeof(c->name), "%s", o->name);
	if (o->server) {
		snprintf(c->server, sizeof(c->server), "%s", o->server);
		return KGWC_EXIT_OK;
	}
	ret = kgwc_state_load(ref.name, &st, err);
	if (ret == -ENOENT) {
		kgw_err("not connected: connect first, or give --server");
		return KGWC_EXIT_NOT_CONNECTED;
	}
	if (ret) {
		kgw_err("%s", err);
		return KGWC_EXIT_ERROR;
	}
	ret = kgwc_kube_server(&st.session, c->server);
	kgwc_state_wipe(&st);
	if (ret) {
		kgw_err("the session has no destination of one address and one port: give --server");
		return KGWC_EXIT_ERROR;
	}
	return KGWC_EXIT_OK;
}

static int default_file(char *out, size_t len)
{
	const char *kc = getenv("KUBECONFIG"), *home = getenv("HOME");
	size_t n;

	if (kc && *kc) {
		n = strcspn(kc, ":");
		if (n >= len)
			return -ENAMETOOLONG;
		snprintf(out, len, "%.*s", (int)n, kc);
		return 0;
	}
	if (!home || home[0] != '/')
		return -ENOENT;
	return snprintf(out, len, "%s/.kube/config", home) < (int)len ? 0 : -ENAMETOOLONG;
}

/* Replaces the file atomically, keeping its mode (0600 for a new one). */
static int write_file(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX + 8], dir[PATH_MAX];
	struct stat sb;
	mode_t mode = 0600;
	char *slash;
	int fd, ret = 0;

	if (stat(path, &sb) == 0)
		mode = sb.st_mode & 07777;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -errno;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0)
		ret = errno ? -errno : -EIO;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

static int merge(const struct kube_opts *o, const struct kgwc_kube_cluster *c)
{
	char path[PATH_MAX], err[KGWC_ERR_MAX];
	char *in = NULL, *out = NULL;
	size_t in_len = 0, out_len = 0;
	int ret;

	if (o->file)
		snprintf(path, sizeof(path), "%s", o->file);
	else if ((ret = default_file(path, sizeof(path)))) {
		kgw_err("no kubeconfig to merge into: give --kubeconfig");
		return KGWC_EXIT_ERROR;
	}
	if (o->merge && (ret = slurp(path, KUBECONFIG_MAX, &in, &in_len)) && ret != -ENOENT) {
		kgw_err("%s: %s", path, strerror(-ret));
		return KGWC_EXIT_ERROR;
	}
	ret = kgwc_kube_merge(in, in_len, c, &out, &out_len, err);
	free(in);
	if (ret) {
		kgw_err("%s: %s", path, err);
		return KGWC_EXIT_ERROR;
	}
	ret = write_file(path, out, out_len);
	free(out);
	if (ret) {
		kgw_err("%s: cannot write: %s", path, strerror(-ret));
		return KGWC_EXIT_ERROR;
	}
	printf("Cluster `%s' (%s) merged into %s\n", c->name, c->server, path);
	return KGWC_EXIT_OK;
}

int kgwc_cmd_kubeconfig(int argc, char **argv)
{
	struct kube_opts o = { 0 };
	struct kgwc_kube_cluster c = { 0 };
	char *b64 = NULL, *out = NULL, err[KGWC_ERR_MAX];
	size_t out_len;
	int ret = parse(argc, argv, &o);

	if (ret)
		return ret > 0 ? KGWC_EXIT_OK : kgwc_usage_error("kubeconfig");
	if ((o.name && !name_ok(o.name)) || (o.server && !url_ok(o.server))) {
		kgw_err("%s", o.server && !url_ok(o.server) ? "--server must be an https:// URL"
			: "--name must be printable, without spaces");
		return KGWC_EXIT_USAGE;
	}
	if ((ret = cluster_from(&o, &c)))
		return ret;
	if (o.ca_file && (ret = ca_data(o.ca_file, &b64)))
		return ret;
	c.ca_data = b64;
	c.insecure = o.insecure;
	if (o.merge) {
		ret = merge(&o, &c);
	} else if (kgwc_kube_merge(NULL, 0, &c, &out, &out_len, err)) {
		kgw_err("%s", err);
		ret = KGWC_EXIT_ERROR;
	} else {
		ret = fwrite(out, 1, out_len, stdout) == out_len && !fflush(stdout) ? KGWC_EXIT_OK
										: KGWC_EXIT_ERROR;
	}
	free(out);
	free(b64);
	return ret;
}
