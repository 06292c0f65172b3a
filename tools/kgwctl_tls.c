/* SPDX-License-Identifier: MIT */
/*
 * The portal's self-signed certificate: ECDSA P-256, SHA-256 signature,
 * SAN with the host name and 127.0.0.1, valid ten years. Clients do not use
 * a CA: they pin the SHA-256 fingerprint printed here.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "kgwctl.h"

#define CERT_DAYS 3650

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return -EINVAL;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -ENOMEM;
}

static int set_serial(X509 *x)
{
	BIGNUM *bn = BN_new();
	int ok;

	/* 127 random bits: positive, unique, and under RFC 5280's 20 octets. */
	ok = bn && BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
	     BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok ? 0 : -ENOMEM;
}

static X509 *make_cert(EVP_PKEY *key, const char *host)
{
	unsigned char addr[16];
	char san[300];
	X509_NAME *name;
	X509 *x = X509_new();
	bool is_ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;

	if (!x)
		return NULL;
	snprintf(san, sizeof(san), "%s:%s%s", is_ip ? "IP" : "DNS", host,
		 strcmp(host, "127.0.0.1") ? ",IP:127.0.0.1" : "");
	name = X509_get_subject_name(x);
	if (!X509_set_version(x, X509_VERSION_3) || set_serial(x) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), CERT_DAYS, 0, NULL) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)host, -1,
					-1, 0) ||
	    !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, key) ||
	    add_ext(x, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature") ||
	    add_ext(x, NID_ext_key_usage, "serverAuth") ||
	    add_ext(x, NID_subject_key_identifier, "hash") ||
	    add_ext(x, NID_subject_alt_name, san) ||
	    !X509_sign(x, key, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* PEM of the key or the certificate, through a memory BIO, to a file with its mode. */
static int write_pem(const char *path, EVP_PKEY *key, X509 *cert, bool force)
{
	BIO *bio = BIO_new(BIO_s_secmem());
	char *data;
	long len;
	int ret = -ENOMEM;

	if (!bio)
		return ret;
	if (key ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)
		: PEM_write_bio_X509(bio, cert)) {
		len = BIO_get_mem_data(bio, &data);
		ret = len > 0 ? kgwctl_write_file(path, data, (size_t)len, key ? 0600 : 0644, force)
			      : -EIO;
	}
	BIO_free(bio);	/* a secure-heap BIO clears its memory */
	return ret;
}

static bool hostname_ok(const char *h)
{
	size_t n = strlen(h);

	if (!n || n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
		      (h[i] >= '0' && h[i] <= '9') || h[i] == '-' || h[i] == '.' || h[i] == ':'))
			return false;
	return h[0] != '-' && h[0] != '.';
}

int kgwctl_tls_make(const char *cert_path, const char *key_path, const char *hostname,
		    bool force, char fingerprint[static KGWCTL_FINGERPRINT_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int ret = -EIO;

	fingerprint[0] = '\0';
	if (!hostname_ok(hostname))
		return -EINVAL;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (key)
		cert = make_cert(key, hostname);
	if (!cert || !X509_digest(cert, EVP_sha256(), md, &md_len))
		goto out;
	ret = write_pem(key_path, key, NULL, force);
	if (!ret) {
		ret = write_pem(cert_path, NULL, cert, force);
		if (ret)
			unlink(key_path);
	}
	for (unsigned int i = 0; !ret && i < md_len; i++) {
		fingerprint[3 * i] = "0123456789ABCDEF"[md[i] >> 4];
		fingerprint[3 * i + 1] = "0123456789ABCDEF"[md[i] & 15];
		fingerprint[3 * i + 2] = i + 1 < md_len ? ':' : '\0';
	}
out:
	if (ret == -EIO)
		ERR_print_errors_fp(stderr);
	X509_free(cert);
	EVP_PKEY_free(key);
	return ret;
}
