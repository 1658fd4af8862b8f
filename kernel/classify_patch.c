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

/* @from: the entries to shift into ix->idx, the live ones for a first edit. */
static void moat_index_insert(struct moat_index *ix, const u32 *from, u32 p)
{
	struct moat_run *run;
	u32 i;

	for (i = 0; i < ix->n_idx; i++)
		ix->idx[i] = from[i] + (from[i] >= p);
	for (i = 0; i < ix->n_runs; i++) {
		run = &ix->runs[i];
		run->start += run->start >= p;
		run->end += run->end > p;
	}
	moat_index_walk_one(ix, p);
}

/* The deleted rule's own entries stay, naming the rule now at @p. */
static void moat_index_delete(struct moat_index *ix, const u32 *from, u32 p)
{
	struct moat_run *run;
	u32 i, kept = 0;

	for (i = 0; i < ix->n_idx; i++)
		ix->idx[i] = from[i] - (from[i] > p);
	for (i = 0; i < ix->n_runs; i++) {
		run = &ix->runs[i];
		run->start -= run->start > p;
		run->end -= run->end > p;
		if (run->start < run->end)
			ix->runs[kept++] = *run;
	}
	ix->n_runs = kept;
}

/* A copy of @live with @ed applied, or NULL if memory is short. */
static struct moat_index *moat_index_patch(const struct moat_index *live,
					   const struct moat_edits *ed)
{
	struct moat_index *ix = kzalloc(sizeof(*ix), GFP_KERNEL_ACCOUNT);
	const u32 *from;
	u32 i;

	if (!ix)
		return NULL;
	ix->runs = kvmalloc_array(live->n_runs + 2 * ed->n, sizeof(*ix->runs),
				  GFP_KERNEL_ACCOUNT);
	ix->idx = kvmalloc_array(live->n_idx ?: 1, sizeof(*ix->idx),
				 GFP_KERNEL_ACCOUNT);
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
	/* The first insertion or deletion copies the entries as it shifts
	 * them: one pass over the largest array instead of two. */
	from = live->idx;
	if (!ed->n || ed->e[0].op == MOAT_EDIT_REKEY) {
		memcpy(ix->idx, from, live->n_idx * sizeof(*ix->idx));
		from = ix->idx;
	}
	for (i = 0; i < ed->n; i++) {
		if (ed->e[i].op == MOAT_EDIT_INSERT)
			moat_index_insert(ix, from, ed->e[i].pos);
		else if (ed->e[i].op == MOAT_EDIT_DELETE)
			moat_index_delete(ix, from, ed->e[i].pos);
		else
			moat_index_walk_one(ix, ed->e[i].pos);
		from = ix->idx;
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
