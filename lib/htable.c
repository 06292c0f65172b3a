/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "htable.h"

int kgw_htable_init(struct kgw_htable *t, size_t initial_buckets)
{
	size_t n = 8;

	while (n < initial_buckets)
		n <<= 1;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	t->mask = n - 1;
	t->count = 0;
	return 0;
}

void kgw_htable_free(struct kgw_htable *t)
{
	if (!t)
		return;
	free(t->buckets);
	t->buckets = NULL;
	t->count = 0;
}

/* Doubles the bucket array when the table is fuller than one node a bucket. */
static void grow(struct kgw_htable *t)
{
	size_t n = (t->mask + 1) * 2;
	struct kgw_hnode **b = calloc(n, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i <= t->mask; i++) {
		struct kgw_hnode *node = t->buckets[i], *next;

		for (; node; node = next) {
			next = node->next;
			node->next = b[node->hash & (n - 1)];
			b[node->hash & (n - 1)] = node;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->mask = n - 1;
}

void kgw_htable_insert(struct kgw_htable *t, struct kgw_hnode *node, uint64_t hash)
{
	struct kgw_hnode **head;

	if (t->count > t->mask)
		grow(t);
	head = &t->buckets[hash & t->mask];
	node->hash = hash;
	node->next = *head;
	*head = node;
	t->count++;
}

void kgw_htable_remove(struct kgw_htable *t, struct kgw_hnode *node)
{
	struct kgw_hnode **pp = &t->buckets[node->hash & t->mask];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == node) {
			*pp = node->next;
			node->next = NULL;
			t->count--;
			return;
		}
	}
}
