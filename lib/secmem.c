/* SPDX-License-Identifier: MIT */
/*
 * Each chunk is one CHUNK_SIZE mapping aligned to CHUNK_SIZE, so the chunk
 * of a slot is found by masking its address: free is O(1) with no search.
 * The chunk's header (list links, the stack of free slot numbers, a byte
 * per slot saying whether it is in use) sits at its start, in front of
 * the slots; it holds no secret. Free slots carry no link, so a freed slot
 * is all zero, which the unit test checks.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "secmem.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
/* A free slot is poisoned, so ASan still reports a use after free. */
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* 64 KiB: a few hundred handshake states a chunk, so little slack. */
#define CHUNK_SIZE ((size_t)64 * 1024)
#define CHUNK_MAGIC UINT64_C(0x6b67772d7365636d)	/* "kgw-secm" */
#define HEADER_ALIGN 64

struct kgw_secmem_chunk {
	uint64_t magic;
	struct kgw_secmem *owner;
	struct kgw_secmem_chunk *next, *prev;		/* owner->all */
	struct kgw_secmem_chunk *anext, *aprev;		/* owner->avail, while nfree > 0 */
	uint8_t *slots;
	size_t nfree;
	uint8_t *used;			/* one byte per slot */
	uint32_t free_stack[];		/* slot numbers; the top is free_stack[nfree - 1] */
};

static size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

size_t kgw_secmem_chunk_size(void)
{
	size_t p = page_size();

	return CHUNK_SIZE > p ? CHUNK_SIZE : p;
}

static size_t round_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

static size_t header_size(size_t nslots)
{
	return round_up(sizeof(struct kgw_secmem_chunk) + nslots * (sizeof(uint32_t) + 1), HEADER_ALIGN);
}

int kgw_secmem_init(struct kgw_secmem *m, const char *name, size_t slot_size, size_t max_slots)
{
	size_t chunk = kgw_secmem_chunk_size(), n;

	memset(m, 0, sizeof(*m));
	if (!slot_size || slot_size > chunk / 2)
		return -EINVAL;
	m->slot_size = round_up(slot_size, KGW_SECMEM_ALIGN);
	/* The most slots whose header and bodies fit in one chunk. */
	for (n = chunk / m->slot_size; n && header_size(n) + n * m->slot_size > chunk; n--)
		;
	if (!n)
		return -EINVAL;
	m->slots_per_chunk = n;
	m->max_slots = max_slots;
	m->name = name;
	return 0;
}

static void avail_push(struct kgw_secmem *m, struct kgw_secmem_chunk *c)
{
	c->aprev = NULL;
	c->anext = m->avail;
	if (m->avail)
		m->avail->aprev = c;
	m->avail = c;
}

static void avail_unlink(struct kgw_secmem *m, struct kgw_secmem_chunk *c)
{
	if (c->aprev)
		c->aprev->anext = c->anext;
	else
		m->avail = c->anext;
	if (c->anext)
		c->anext->aprev = c->aprev;
	c->anext = c->aprev = NULL;
}

/*
 * Maps twice the chunk plus a page, keeps the CHUNK_SIZE-aligned chunk
 * inside it with one PROT_NONE page either side, and unmaps the rest.
 */
static uint8_t *map_chunk(void)
{
	size_t chunk = kgw_secmem_chunk_size(), page = page_size(), len = 2 * chunk + page;
	uint8_t *raw, *base, *end;

	raw = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	base = (uint8_t *)round_up((uintptr_t)raw + page, chunk);
	end = raw + len;
	if (mprotect(base, chunk, PROT_READ | PROT_WRITE)) {
		munmap(raw, len);
		return NULL;
	}
	if (base - page > raw)
		munmap(raw, (size_t)(base - page - raw));
	if (base + chunk + page < end)
		munmap(base + chunk + page, (size_t)(end - (base + chunk + page)));
	return base;
}

static void unmap_chunk(uint8_t *base)
{
	size_t page = page_size();

	munmap(base - page, kgw_secmem_chunk_size() + 2 * page);
}

static struct kgw_secmem_chunk *chunk_new(struct kgw_secmem *m)
{
	size_t chunk = kgw_secmem_chunk_size(), n = m->slots_per_chunk;
	struct kgw_secmem_chunk *c;
	uint8_t *base = map_chunk();

	if (!base)
		return NULL;
	/* Best effort, as sodium_malloc: without CAP_IPC_LOCK RLIMIT_MEMLOCK may refuse. */
	if (mlock(base, chunk)) {
		if (!m->unlocked_chunks++)
			kgw_warn("secmem %s: cannot lock %zu KiB in memory (%s): secrets may reach swap",
				 m->name ? m->name : "", chunk / 1024, strerror(errno));
	}
#ifdef MADV_DONTDUMP
	madvise(base, chunk, MADV_DONTDUMP);
#endif
	c = (struct kgw_secmem_chunk *)(void *)base;
	c->magic = CHUNK_MAGIC;
	c->owner = m;
	c->used = (uint8_t *)&c->free_stack[n];
	c->slots = base + header_size(n);
	/* Slot 0 on top, so a fresh chunk fills from its start. */
	for (size_t i = 0; i < n; i++)
		c->free_stack[i] = (uint32_t)(n - 1 - i);
	c->nfree = n;
	POISON(c->slots, n * m->slot_size);
	c->next = m->all;
	if (m->all)
		m->all->prev = c;
	m->all = c;
	avail_push(m, c);
	m->chunks++;
	return c;
}

static void chunk_release(struct kgw_secmem *m, struct kgw_secmem_chunk *c)
{
	if (c->nfree)
		avail_unlink(m, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		m->all = c->next;
	if (c->next)
		c->next->prev = c->prev;
	m->chunks--;
	UNPOISON(c->slots, m->slots_per_chunk * m->slot_size);
	/* Slots in use are wiped here too (kgw_secmem_destroy with live slots). */
	sodium_memzero(c->slots, m->slots_per_chunk * m->slot_size);
	unmap_chunk((uint8_t *)c);
}

void *kgw_secmem_alloc(struct kgw_secmem *m)
{
	struct kgw_secmem_chunk *c;
	uint32_t i;
	uint8_t *p;

	if (m->max_slots && m->in_use >= m->max_slots) {
		errno = ENOMEM;
		return NULL;
	}
	if (!(c = m->avail) && !(c = chunk_new(m))) {
		errno = ENOMEM;
		return NULL;
	}
	i = c->free_stack[--c->nfree];
	c->used[i] = 1;
	if (!c->nfree)
		avail_unlink(m, c);
	m->in_use++;
	p = c->slots + (size_t)i * m->slot_size;
	UNPOISON(p, m->slot_size);
	return p;
}

static __attribute__((noreturn)) void misuse(const char *why, const void *p)
{
	/* The heap is corrupt or a pointer is wrong: going on could leak a key. */
	fprintf(stderr, "kgw_secmem_free(%p): %s\n", p, why);
	abort();
}

void kgw_secmem_free(struct kgw_secmem *m, void *p)
{
	struct kgw_secmem_chunk *c;
	size_t off, i;

	if (!p)
		return;
	c = (struct kgw_secmem_chunk *)((uintptr_t)p & ~(uintptr_t)(kgw_secmem_chunk_size() - 1));
	if (c->magic != CHUNK_MAGIC || c->owner != m)
		misuse("not from this pool", p);
	off = (size_t)((uint8_t *)p - c->slots);
	i = off / m->slot_size;
	if ((uint8_t *)p < c->slots || off % m->slot_size || i >= m->slots_per_chunk)
		misuse("not the start of a slot", p);
	if (!c->used[i])
		misuse("already free", p);
	sodium_memzero(p, m->slot_size);
	POISON(p, m->slot_size);
	c->used[i] = 0;
	c->free_stack[c->nfree++] = (uint32_t)i;
	m->in_use--;
	if (c->nfree == 1)
		avail_push(m, c);
	/* Keep one chunk with room, so a peer coming and going does not map and unmap. */
	if (c->nfree == m->slots_per_chunk && (c->anext || c->aprev))
		chunk_release(m, c);
}

void kgw_secmem_destroy(struct kgw_secmem *m)
{
	if (!m)
		return;
	while (m->all)
		chunk_release(m, m->all);
	m->in_use = 0;
}
