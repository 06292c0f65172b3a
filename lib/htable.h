/* SPDX-License-Identifier: MIT */
/*
 * An intrusive chained hash table: nodes live inside the objects, so
 * insertion allocates nothing but the occasional bucket array, and lookup
 * allocates never. Callers hash with a keyed hash (siphash via
 * crypto_shorthash) so a remote party cannot aim at one bucket.
 */
#ifndef KGW_HTABLE_H
#define KGW_HTABLE_H

#include <stddef.h>
#include <stdint.h>

struct kgw_hnode {
	struct kgw_hnode *next;
	uint64_t hash;
};

struct kgw_htable {
	struct kgw_hnode **buckets;
	size_t mask;		/* bucket count - 1; a power of two */
	size_t count;
};

int kgw_htable_init(struct kgw_htable *t, size_t initial_buckets) __attribute__((warn_unused_result));
void kgw_htable_free(struct kgw_htable *t);
/* Never fails: when growing cannot allocate, chains just get longer. */
void kgw_htable_insert(struct kgw_htable *t, struct kgw_hnode *node, uint64_t hash);
void kgw_htable_remove(struct kgw_htable *t, struct kgw_hnode *node);

/* Walk the nodes whose hash equals `h'; compare the real key in the body. */
#define kgw_htable_for_each_hash(t, pos, h) \
	for ((pos) = (t)->buckets[(h) & (t)->mask]; (pos); (pos) = (pos)->next) \
		if ((pos)->hash == (h))

#define kgw_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
