/* SPDX-License-Identifier: MIT */
/*
 * Groups, who is in them, and the destinations (CIDR + TCP ports) each may
 * reach. kgwd and the portal build a session's policy from
 * kgw_store_user_destinations(): the union over the user's groups.
 */
#ifndef KGW_STORE_GROUPS_H
#define KGW_STORE_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "dest.h"
#include "store.h"

/* Port ranges in one destination's port list ("443,6443,8000-8100"). */
#define KGW_PORT_RANGES_MAX 32
/* Longest port list text, with the NUL. */
#define KGW_PORTS_STR_MAX (KGW_PORT_RANGES_MAX * 12)

struct kgw_port_range {
	uint16_t lo, hi;
};

struct kgw_group {
	char name[KGW_NAME_MAX + 1];
	int64_t created;
	unsigned int members;
	unsigned int destinations;
};

/*
 * "443", "443,6443", "1-65535", "22,8000-8100": ports 1..65535, ranges
 * low-high, comma-separated, no spaces. -EINVAL for anything else (a
 * reversed range, 0, a port over 65535, an empty item), -E2BIG past
 * KGW_PORT_RANGES_MAX items.
 */
int kgw_ports_parse(const char *text, struct kgw_port_range *out, size_t max, size_t *n)
	__attribute__((warn_unused_result));
/* The canonical text: ranges sorted and merged ("6443,443,444" -> "443-444,6443"). */
int kgw_ports_normalize(const char *text, char out[static KGW_PORTS_STR_MAX])
	__attribute__((warn_unused_result));

int kgw_store_group_add(struct kgw_store *store, const char *name, int64_t now)
	__attribute__((warn_unused_result));
/* Removes the group with its memberships and destinations. */
int kgw_store_group_del(struct kgw_store *store, const char *name)
	__attribute__((warn_unused_result));
/* 0 if the group exists, -ENOENT if not. */
int kgw_store_group_exists(struct kgw_store *store, const char *group)
	__attribute__((warn_unused_result));
int kgw_store_group_list(struct kgw_store *store,
			 int (*fn)(const struct kgw_group *group, void *ctx), void *ctx)
	__attribute__((warn_unused_result));

int kgw_store_member_add(struct kgw_store *store, const char *user, const char *group)
	__attribute__((warn_unused_result));
int kgw_store_member_del(struct kgw_store *store, const char *user, const char *group)
	__attribute__((warn_unused_result));
/* The groups of a user, by name. */
int kgw_store_user_groups(struct kgw_store *store, const char *user,
			  int (*fn)(const char *group, void *ctx), void *ctx)
	__attribute__((warn_unused_result));
/* The members of a group, by name. */
int kgw_store_group_members(struct kgw_store *store, const char *group,
			    int (*fn)(const char *user, void *ctx), void *ctx)
	__attribute__((warn_unused_result));

/*
 * Lets the group reach `cidr' (strict: no host bits) on `ports'. Both are
 * stored in canonical form; allowing the same pair twice is -EEXIST.
 */
int kgw_store_group_allow(struct kgw_store *store, const char *group, const char *cidr,
			  const char *ports) __attribute__((warn_unused_result));
/* Removes that pair; with ports NULL, every port list for that CIDR. -ENOENT if none. */
int kgw_store_group_deny(struct kgw_store *store, const char *group, const char *cidr,
			 const char *ports) __attribute__((warn_unused_result));
/* The group's destinations as stored text, ordered. */
int kgw_store_group_destinations(struct kgw_store *store, const char *group,
				 int (*fn)(const char *cidr, const char *ports, void *ctx),
				 void *ctx) __attribute__((warn_unused_result));

/*
 * The union of the destinations of every group the user is in: one entry
 * per prefix and port range, sorted, with overlapping and adjacent ranges
 * of the same prefix merged. *out is malloc'd (NULL when *n is 0).
 */
int kgw_store_user_destinations(struct kgw_store *store, const char *user,
				struct kgw_dest **out, size_t *n)
	__attribute__((warn_unused_result));

#endif
