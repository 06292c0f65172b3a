/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "kubecfg.h"

int kgwc_kube_server(const struct kgwc_session *s, char out[static KGWC_KUBE_SERVER_MAX + 1])
{
	char a[KGW_ADDR_STR_MAX];

	for (size_t i = 0; i < s->n_dests; i++) {
		const struct kgw_dest *d = &s->dests[i];

		if (d->port_lo != d->port_hi || d->cidr.prefix != 8 * kgw_addr_len(d->cidr.family))
			continue;
		kgw_cidr_format(&d->cidr, a);
		*strchr(a, '/') = '\0';
		snprintf(out, KGWC_KUBE_SERVER_MAX + 1, d->cidr.family == AF_INET6 ? "https://[%s]:%u"
			 : "https://%s:%u", a, d->port_lo);
		return 0;
	}
	return -ENOENT;
}

/* Index of a scalar node, or 0 when out of memory. */
static int scalar(yaml_document_t *doc, const char *v)
{
	return yaml_document_add_scalar(doc, NULL, (yaml_char_t *)v, (int)strlen(v), YAML_ANY_SCALAR_STYLE);
}

static bool scalar_is(yaml_document_t *doc, int idx, const char *v)
{
	yaml_node_t *n = yaml_document_get_node(doc, idx);

	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(v) &&
	       !memcmp(n->data.scalar.value, v, n->data.scalar.length);
}

/* The value of key in a mapping node, or 0. */
static int map_get(yaml_document_t *doc, int map, const char *key)
{
	yaml_node_t *m = yaml_document_get_node(doc, map);

	if (!m || m->type != YAML_MAPPING_NODE)
		return 0;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
		if (scalar_is(doc, p->key, key))
			return p->value;
	return 0;
}

static bool map_add(yaml_document_t *doc, int map, const char *key, int value)
{
	int k = scalar(doc, key);

	return k && value && yaml_document_append_mapping_pair(doc, map, k, value);
}

static int new_map(yaml_document_t *doc)
{
	return yaml_document_add_mapping(doc, NULL, YAML_BLOCK_MAPPING_STYLE);
}

/* The `cluster:' mapping of our entry. */
static int cluster_node(yaml_document_t *doc, const struct kgwc_kube_cluster *c)
{
	int m = new_map(doc);

	if (!m || !map_add(doc, m, "server", scalar(doc, c->server)))
		return 0;
	if (c->ca_data && !map_add(doc, m, "certificate-authority-data", scalar(doc, c->ca_data)))
		return 0;
	if (c->insecure && !map_add(doc, m, "insecure-skip-tls-verify",
				    yaml_document_add_scalar(doc, NULL, (yaml_char_t *)"true", 4,
							     YAML_PLAIN_SCALAR_STYLE)))
		return 0;
	return m;
}

/* A new document: the skeleton kubectl itself writes. */
static int new_root(yaml_document_t *doc)
{
	int root = new_map(doc);

	if (!root || !map_add(doc, root, "apiVersion", scalar(doc, "v1")) ||
	    !map_add(doc, root, "kind", scalar(doc, "Config")) ||
	    !map_add(doc, root, "clusters", yaml_document_add_sequence(doc, NULL, YAML_BLOCK_SEQUENCE_STYLE)))
		return 0;
	return root;
}

static int put_cluster(yaml_document_t *doc, int root, const struct kgwc_kube_cluster *c,
		       char err[static KGWC_ERR_MAX])
{
	int clusters = map_get(doc, root, "clusters"), cluster, item;
	yaml_node_t *seq;

	if (!clusters) {
		clusters = yaml_document_add_sequence(doc, NULL, YAML_BLOCK_SEQUENCE_STYLE);
		if (!map_add(doc, root, "clusters", clusters))
			goto nomem;
	}
	seq = yaml_document_get_node(doc, clusters);
	if (seq->type != YAML_SEQUENCE_NODE) {
		/* `clusters: ' with no value loads as an empty scalar: treat it as an empty list. */
		if (seq->type != YAML_SCALAR_NODE || seq->data.scalar.length) {
			snprintf(err, KGWC_ERR_MAX, "`clusters' is not a list");
			return -EINVAL;
		}
		return -EAGAIN;
	}
	if (!(cluster = cluster_node(doc, c)))
		goto nomem;
	/* Adding nodes may move them: look the list up again. */
	seq = yaml_document_get_node(doc, clusters);
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *entry = yaml_document_get_node(doc, *it);

		if (!scalar_is(doc, map_get(doc, *it, "name"), c->name))
			continue;
		for (yaml_node_pair_t *p = entry->data.mapping.pairs.start; p < entry->data.mapping.pairs.top; p++)
			if (scalar_is(doc, p->key, "cluster"))
				p->value = cluster;
		if (!map_get(doc, *it, "cluster") && !map_add(doc, *it, "cluster", cluster))
			goto nomem;
		return 0;
	}
	item = new_map(doc);
	if (!item || !map_add(doc, item, "name", scalar(doc, c->name)) || !map_add(doc, item, "cluster", cluster) ||
	    !yaml_document_append_sequence_item(doc, clusters, item))
		goto nomem;
	return 0;
nomem:
	snprintf(err, KGWC_ERR_MAX, "out of memory");
	return -ENOMEM;
}

/* An empty `clusters:' becomes a list: rebuild the pair's value. */
static int fix_empty_clusters(yaml_document_t *doc, int root)
{
	yaml_node_t *m = yaml_document_get_node(doc, root);
	int seq = yaml_document_add_sequence(doc, NULL, YAML_BLOCK_SEQUENCE_STYLE);

	if (!seq)
		return -ENOMEM;
	m = yaml_document_get_node(doc, root);
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
		if (scalar_is(doc, p->key, "clusters"))
			p->value = seq;
	return 0;
}

struct outbuf {
	char *buf;
	size_t len, cap;
};

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	struct outbuf *o = data;

	if (o->len + size + 1 > o->cap) {
		size_t cap = (o->len + size + 1) * 2;
		char *n = realloc(o->buf, cap);

		if (!n)
			return 0;
		o->buf = n;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, buffer, size);
	o->len += size;
	o->buf[o->len] = '\0';
	return 1;
}

static int load(const char *in, size_t len, yaml_document_t *doc, char err[static KGWC_ERR_MAX])
{
	yaml_parser_t parser;
	yaml_document_t extra;
	int ret = 0;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)in, len);
	if (!yaml_parser_load(&parser, doc)) {
		snprintf(err, KGWC_ERR_MAX, "not YAML: %s at line %zu", parser.problem ? parser.problem : "error",
			 parser.problem_mark.line + 1);
		ret = -EINVAL;
	} else if (yaml_document_get_root_node(doc)) {
		/* A kubeconfig is one document; a second is not ours to drop. */
		if (!yaml_parser_load(&parser, &extra) || yaml_document_get_root_node(&extra)) {
			snprintf(err, KGWC_ERR_MAX, "holds more than one YAML document");
			ret = -EINVAL;
		}
		yaml_document_delete(&extra);
		if (ret)
			yaml_document_delete(doc);
	}
	yaml_parser_delete(&parser);
	return ret;
}

static int emit(yaml_document_t *doc, char **out, size_t *out_len, char err[static KGWC_ERR_MAX])
{
	yaml_emitter_t em;
	struct outbuf o = { 0 };
	int ok;

	if (!yaml_emitter_initialize(&em)) {
		yaml_document_delete(doc);
		return -ENOMEM;
	}
	yaml_emitter_set_output(&em, write_handler, &o);
	yaml_emitter_set_unicode(&em, 1);
	/* yaml_emitter_dump() frees the document either way. */
	ok = yaml_emitter_open(&em) && yaml_emitter_dump(&em, doc) && yaml_emitter_close(&em) &&
	     yaml_emitter_flush(&em);
	yaml_emitter_delete(&em);
	if (!ok || !o.buf) {
		free(o.buf);
		snprintf(err, KGWC_ERR_MAX, "cannot write YAML");
		return -ENOMEM;
	}
	*out = o.buf;
	*out_len = o.len;
	return 0;
}

int kgwc_kube_merge(const char *in, size_t len, const struct kgwc_kube_cluster *c, char **out,
		    size_t *out_len, char err[static KGWC_ERR_MAX])
{
	yaml_document_t doc;
	yaml_node_t *root;
	int ret, r;

	*out = NULL;
	err[0] = '\0';
	if ((ret = load(in ? in : "", in ? len : 0, &doc, err)))
		return ret;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		/* An empty file: start a new kubeconfig. */
		yaml_document_delete(&doc);
		if (!yaml_document_initialize(&doc, NULL, NULL, NULL, 1, 1))
			return -ENOMEM;
		r = new_root(&doc);
	} else if (root->type != YAML_MAPPING_NODE) {
		snprintf(err, KGWC_ERR_MAX, "is not a kubeconfig (not a mapping)");
		yaml_document_delete(&doc);
		return -EINVAL;
	} else {
		r = 1;	/* the root is always node 1 */
	}
	ret = r ? put_cluster(&doc, r, c, err) : -ENOMEM;
	if (ret == -EAGAIN)
		ret = fix_empty_clusters(&doc, r) ? -ENOMEM : put_cluster(&doc, r, c, err);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, KGWC_ERR_MAX, "out of memory");
		yaml_document_delete(&doc);
		return ret;
	}
	return emit(&doc, out, out_len, err);
}
