/* SPDX-License-Identifier: MIT */
/*
 * A kubeconfig cluster entry for the private API endpoint, merged into a
 * kubeconfig document with libyaml: the entry of that name is replaced or
 * appended under `clusters', everything else is kept (comments excepted:
 * YAML's node model has none, and kubectl drops them the same way).
 * Pure: text in, text out.
 */
#ifndef KGWC_KUBECFG_H
#define KGWC_KUBECFG_H

#include <stdbool.h>
#include <stddef.h>

#include "client.h"
#include "session.h"

#define KGWC_KUBE_NAME_MAX 253
#define KGWC_KUBE_SERVER_MAX 300

struct kgwc_kube_cluster {
	char name[KGWC_KUBE_NAME_MAX + 1];
	char server[KGWC_KUBE_SERVER_MAX + 1];	/* https://10.0.0.10:6443 */
	const char *ca_data;	/* base64 PEM, or NULL */
	bool insecure;		/* insecure-skip-tls-verify */
};

/*
 * https://ADDRESS:PORT of the session's first destination that is one
 * host and one port; -ENOENT when none is (then --server must say).
 */
int kgwc_kube_server(const struct kgwc_session *s, char out[static KGWC_KUBE_SERVER_MAX + 1])
	__attribute__((warn_unused_result));

/*
 * Merges the cluster into the kubeconfig `in' (len 0: start a new one).
 * On success *out is malloc'd YAML. -EINVAL with err for input that is
 * not one kubeconfig document (a mapping whose `clusters' is a list).
 */
int kgwc_kube_merge(const char *in, size_t len, const struct kgwc_kube_cluster *c, char **out,
		    size_t *out_len, char err[static KGWC_ERR_MAX]) __attribute__((warn_unused_result));

#endif
