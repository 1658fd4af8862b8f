// SPDX-License-Identifier: GPL-2.0
/*
 * moat: an index patched for a few single-rule changes, so that the commit
 * publishes the new list indexed (see classify.c's opening comment).
 */
#include <linux/slab.h>
#include "moat.h"
#include "classify.h"

/*
 * Makes rule @p walked, not looked up: a linear run it is in already, one
 * it extends, or one of its own, cut out of the keyed run it is in (both
 * halves keep the run's hash tables: a lookup in the first that finds a
 * rule of the second goes on to the next run, as for any rule past a
 * run's end).  Needs room for two more runs.
 */
static void moat_index_walk_one(struct moat_index *ix, u32 p)
{
	u32 i = moat_run_index(ix, p), s, e, extra;
	struct moat_run *run = &ix->runs[i];

	if (run->start <= p && p < run->end) {
		if (!run->n_dims)
			return;
		s = run->start;
		e = run->end;
		extra = (s < p) + (p + 1 < e);
		memmove(run + 1 + extra, run + 1,
			(ix->n_runs - i - 1) * sizeof(*run));
		if (p + 1 < e) {
			run[extra] = *run;
			run[extra].start = p + 1;
		}
		if (s < p)
			(run++)->end = p;
	} else {
		/* In the gap an insertion left between two runs, or at the end. */
		if (run->start < p)
			run++, i++;
		if (i && !run[-1].n_dims && run[-1].end == p) {
			run[-1].end++;
			return;
		}
		extra = 1;
		memmove(run + 1, run, (ix->n_runs - i) * sizeof(*run));
	}
	*run = (struct moat_run){ .start = p, .end = p + 1 };
	ix->n_runs += extra;
}

/* Positions of the runs at or past @p move up one: a rule went in at @p. */
static void moat_index_insert(struct moat_index *ix, u32 p)
{
	struct moat_run *run;
	u32 i;

	for (i = 0; i < ix->n_runs; i++) {
		run = &ix->runs[i];
		run->start += run->start >= p;
		run->end += run->end > p;
	}
	moat_index_walk_one(ix, p);
}

/* Rule @p went: the runs past it move down one; an emptied run goes. */
static void moat_index_delete(struct moat_index *ix, u32 p)
{
	struct moat_run *run;
	u32 i, kept = 0;

	for (i = 0; i < ix->n_runs; i++) {
		run = &ix->runs[i];
		run->start -= run->start > p;
		run->end -= run->end > p;
		if (run->start < run->end)
			ix->runs[kept++] = *run;
	}
	ix->n_runs = kept;
}

/*
 * The entries of @from moved as @ed moves rules (the deleted rule's own
 * entries stay, naming the rule now at its place); @from itself, shared,
 * when no change moves one; NULL if memory is short.
 */
static struct moat_idx_table *moat_idx_patch(struct moat_idx_table *from,
					     u32 n_idx,
					     const struct moat_edits *ed)
{
	struct moat_idx_table *to;
	const u32 *src = from->e;
	u32 i, k, p, last = from->last;
	bool moves = false;

	for (i = 0; i < ed->n && n_idx; i++) {
		p = ed->e[i].pos;
		if (ed->e[i].op == MOAT_EDIT_INSERT && last >= p)
			moves = true, last++;
		else if (ed->e[i].op == MOAT_EDIT_DELETE && last > p)
			moves = true, last--;
	}
	if (!moves) {
		refcount_inc(&from->ref);
		return from;
	}
	to = kvmalloc(struct_size(to, e, n_idx), GFP_KERNEL_ACCOUNT);
	if (!to)
		return NULL;
	refcount_set(&to->ref, 1);
	to->last = last;
	/* Each change shifts as it copies: one pass a change, no memcpy. */
	for (i = 0; i < ed->n; i++, src = to->e) {
		p = ed->e[i].pos;
		if (ed->e[i].op == MOAT_EDIT_INSERT)
			for (k = 0; k < n_idx; k++)
				to->e[k] = src[k] + (src[k] >= p);
		else if (ed->e[i].op == MOAT_EDIT_DELETE)
			for (k = 0; k < n_idx; k++)
				to->e[k] = src[k] - (src[k] > p);
		else if (src != to->e)
			memcpy(to->e, src, n_idx * sizeof(to->e[0]));
	}
	return to;
}

/* A copy of @live with @ed applied, or NULL if memory is short. */
static struct moat_index *moat_index_patch(const struct moat_index *live,
					   const struct moat_edits *ed)
{
	struct moat_index *ix = kzalloc(sizeof(*ix), GFP_KERNEL_ACCOUNT);
	u32 i;

	if (!ix)
		return NULL;
	ix->runs = kvmalloc_array(live->n_runs + 2 * ed->n, sizeof(*ix->runs),
				  GFP_KERNEL_ACCOUNT);
	ix->idx = moat_idx_patch(live->idx, live->n_idx, ed);
	if (!ix->runs || !ix->idx) {
		moat_index_free(ix);
		return NULL;
	}
	memcpy(ix->runs, live->runs, live->n_runs * sizeof(*ix->runs));
	ix->n_runs = live->n_runs;
	ix->n_idx = live->n_idx;
	ix->patches = live->patches + ed->n;
	ix->slots = live->slots;
	refcount_inc(&ix->slots->ref);
	for (i = 0; i < ed->n; i++) {
		if (ed->e[i].op == MOAT_EDIT_INSERT)
			moat_index_insert(ix, ed->e[i].pos);
		else if (ed->e[i].op == MOAT_EDIT_DELETE)
			moat_index_delete(ix, ed->e[i].pos);
		else
			moat_index_walk_one(ix, ed->e[i].pos);
	}
	return ix;
}

/*
 * At commit, for a chain whose rules @live become @next by the changes in
 * @ed: gives @next an index patched from @live's, so that it is published
 * indexed; else (no index to patch, too many changes, memory short) the
 * work item takes @next up.  Packets may read @live meanwhile, not @next.
 */
void moat_classify_patch(const struct moat_rules *live, struct moat_rules *next,
			 const struct moat_edits *ed)
{
	const struct moat_index *ix = rcu_dereference_protected(live->index, true);
	struct moat_index *patched;

	if (!ix || ed->n > MOAT_EDITS_MAX || next->n < MOAT_CLASSIFY_MIN)
		return;
	patched = moat_index_patch(ix, ed);
	if (!patched)
		return;
	rcu_assign_pointer(next->index, patched);
	/* Built anew after many: cut runs and stale entries add up. */
	next->classified = patched->patches <= MOAT_PATCHES_MAX;
}
