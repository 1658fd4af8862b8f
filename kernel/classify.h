/* SPDX-License-Identifier: GPL-2.0 */
/*
 * moat: the classifier's index (classify.c builds it and looks packets up
 * in it, classify_patch.c patches it for single-rule changes).
 */
#ifndef _MOAT_CLASSIFY_H
#define _MOAT_CLASSIFY_H

#include "moat.h"

/* Chains shorter than this are walked: an index would not pay. */
#define MOAT_CLASSIFY_MIN	8

/* Single-rule changes patched into an index before it is built anew. */
#define MOAT_PATCHES_MAX	64

enum moat_dim_kind {
	MOAT_DIM_SRC,
	MOAT_DIM_DST,
	MOAT_DIM_DPORT,
	MOAT_DIM_IIF,
	MOAT_DIM_PROTO,
};

/* A hash slot: @count rule indexes at idx[@first] with key @key. */
struct moat_slot {
	u32 key;
	u32 first;
	u32 count;
};

struct moat_dim {
	u8 kind;		/* enum moat_dim_kind */
	u8 slot_bits;		/* log2(slots), for the hash */
	__be32 mask;		/* SRC, DST: the rules' mask */
	u32 n_rules;		/* keyed in this dimension */
	u32 slot_mask;		/* slots - 1, slots a power of two */
	struct moat_slot *slots;
};

struct moat_run {
	u32 start, end;		/* rule indexes [start, end) */
	u32 n_dims;		/* 0: a linear run */
	struct moat_dim dims[MOAT_RUN_DIMS];
};

/* Every dimension's slots, shared by an index and the ones patched from it. */
struct moat_slot_table {
	refcount_t ref;
	struct moat_slot s[];
};

/*
 * Every keyed rule's index, grouped by slot.  Shared by an index and the
 * ones patched from it by changes past its last keyed rule (an append, a
 * deletion at the end), which move no entry.
 */
struct moat_idx_table {
	refcount_t ref;
	u32 last;		/* the highest index in e[] */
	u32 e[];
};

struct moat_index {
	struct rcu_head rcu;	/* replaced while packets may read it */
	u32 n_runs;
	u32 n_idx;
	u32 patches;		/* changes patched in since it was built */
	struct moat_run *runs;
	struct moat_idx_table *idx;
	struct moat_slot_table *slots;
};

/* The last run starting at or before rule @i (the first if none does). */
static inline u32 moat_run_index(const struct moat_index *ix, u32 i)
{
	u32 lo = 0, hi = ix->n_runs;

	while (lo + 1 < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (ix->runs[mid].start <= i)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void moat_index_free(struct moat_index *ix);

#endif /* _MOAT_CLASSIFY_H */
