/* SPDX-License-Identifier: MIT */
/*
 * A slab of fixed-size slots for secrets that live as long as a peer or a
 * session (handshake state, transport keys). sodium_malloc() would give
 * each its own guard pages and at least one resident page, 8 KiB for a
 * 300-byte secret; here many slots share one chunk that is, like
 * sodium's, kept off swap (mlock, best effort) and out of core dumps,
 * with an inaccessible page on either side. A slot is zero when handed
 * out and wiped when given back; an empty chunk is returned to the
 * kernel unless it is the pool's last one with room.
 *
 * Not thread-safe: each pool belongs to one event loop.
 */
#ifndef KGW_SECMEM_H
#define KGW_SECMEM_H

#include <stddef.h>

/* Slot sizes are rounded up to this; every slot is aligned to it. */
#define KGW_SECMEM_ALIGN 16

struct kgw_secmem_chunk;

struct kgw_secmem {
	size_t slot_size;
	size_t slots_per_chunk;
	size_t max_slots;		/* 0: only memory limits the pool */
	size_t in_use, chunks;
	size_t unlocked_chunks;		/* mlock refused: these may reach swap */
	struct kgw_secmem_chunk *all;	/* every chunk */
	struct kgw_secmem_chunk *avail;	/* chunks with a free slot */
	const char *name;		/* for the one warning when mlock fails */
};

/* -EINVAL when a slot of `slot_size' does not fit a chunk. */
int kgw_secmem_init(struct kgw_secmem *m, const char *name, size_t slot_size, size_t max_slots)
	__attribute__((warn_unused_result));
/* Wipes and unmaps every chunk, slots still in use included. */
void kgw_secmem_destroy(struct kgw_secmem *m);
/* A zeroed slot, or NULL (errno ENOMEM) at max_slots or when mmap fails. */
void *kgw_secmem_alloc(struct kgw_secmem *m) __attribute__((warn_unused_result));
/* Wipes the slot. NULL is a no-op; a pointer this pool did not hand out aborts. */
void kgw_secmem_free(struct kgw_secmem *m, void *p);
/* The size of one chunk's mapping, without its guard pages. */
size_t kgw_secmem_chunk_size(void);

#endif
