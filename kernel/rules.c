// SPDX-License-Identifier: GPL-2.0
/*
 * moat: a chain's rule list, as pages of rule pointers shared between the
 * list's versions (see struct moat_page).  Packets read published lists;
 * a transaction changes its staged copy, under the namespace's lock, and
 * writes a page in place only when no other list holds it.
 */
#include <linux/slab.h>
#include "moat.h"

/* Pages merge when a deletion leaves two neighbours this full together. */
#define MOAT_PAGE_MERGE		(MOAT_PAGE_RULES * 3 / 4)

static u32 moat_bloom_bit(u32 hash, int which)
{
	return (which ? hash >> 16 : hash) % MOAT_BLOOM_BITS;
}

static void moat_bloom_add(struct moat_page *pg, const struct moat_rule *r)
{
	__set_bit(moat_bloom_bit(r->hash, 0), pg->bloom);
	__set_bit(moat_bloom_bit(r->hash, 1), pg->bloom);
}

static bool moat_bloom_may_hold(const struct moat_page *pg, u32 hash)
{
	return test_bit(moat_bloom_bit(hash, 0), pg->bloom) &&
	       test_bit(moat_bloom_bit(hash, 1), pg->bloom);
}

static struct moat_page *moat_page_alloc(void)
{
	struct moat_page *pg = kmalloc(sizeof(*pg), GFP_KERNEL_ACCOUNT);

	if (pg) {
		refcount_set(&pg->ref, 1);
		pg->n = 0;
		bitmap_zero(pg->bloom, MOAT_BLOOM_BITS);
	}
	return pg;
}

static void moat_page_put(struct moat_page *pg)
{
	if (refcount_dec_and_test(&pg->ref))
		kfree(pg);
}

/* An empty list with room for @cap pages. */
struct moat_rules *moat_rules_alloc(u32 cap)
{
	struct moat_rules *rules;

	rules = kvmalloc(struct_size(rules, p, cap), GFP_KERNEL_ACCOUNT);
	if (rules) {
		memset(rules, 0, sizeof(*rules));
		rules->cap = cap;
	}
	return rules;
}

/* A staged copy of @from, sharing its pages, with room for @cap pages. */
struct moat_rules *moat_rules_copy(const struct moat_rules *from, u32 cap)
{
	struct moat_rules *rules = moat_rules_alloc(max(cap, from->n_pages));
	u32 k;

	if (!rules)
		return NULL;
	rules->n = from->n;
	rules->n_pages = from->n_pages;
	memcpy(rules->p, from->p, from->n_pages * sizeof(rules->p[0]));
	for (k = 0; k < rules->n_pages; k++)
		refcount_inc(&rules->p[k].pg->ref);
	return rules;
}

/* Frees @rules and the pages no other list holds; not the rules. */
void moat_rules_free(struct moat_rules *rules)
{
	u32 k;

	if (!rules)
		return;
	for (k = 0; k < rules->n_pages; k++)
		moat_page_put(rules->p[k].pg);
	moat_rules_index_free(rules);
	kvfree(rules);
}

static void moat_rules_free_rcu(struct rcu_head *head)
{
	moat_rules_free(container_of(head, struct moat_rules, rcu));
}

/* Frees @rules once no packet can be reading it. */
void moat_rules_retire(struct moat_rules *rules)
{
	call_rcu(&rules->rcu, moat_rules_free_rcu);
}

/*
 * The page holding position @i: the last one starting at or before it.
 * No page holds more than MOAT_PAGE_RULES, so page i / MOAT_PAGE_RULES
 * starts at or before @i: the search starts there, and ends there for a
 * list of full pages, as a restore makes.
 */
static u32 moat_page_of(const struct moat_rules *rules, u32 i)
{
	u32 lo = min(i / MOAT_PAGE_RULES, rules->n_pages - 1), hi = rules->n_pages;

	if (lo + 1 == hi || rules->p[lo + 1].start > i)
		return lo;

	while (lo + 1 < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (rules->p[mid].start <= i)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void moat_cursor_seek(const struct moat_rules *rules, struct moat_cursor *cur,
		      u32 i)
{
	u32 k;

	/* A walk in order goes on into the next page. */
	if (cur->n && i == cur->base + cur->n && cur->k + 1 < rules->n_pages)
		k = cur->k + 1;
	else
		k = moat_page_of(rules, i);
	cur->k = k;
	cur->pg = rules->p[k].pg;
	cur->base = rules->p[k].start;
	cur->n = cur->pg->n;
}

/* Page @k made writable: copied first if another list holds it. */
static int moat_page_own(struct moat_rules *rules, u32 k)
{
	struct moat_page *pg = rules->p[k].pg, *copy;
	u32 j;

	if (refcount_read(&pg->ref) == 1)
		return 0;
	copy = moat_page_alloc();
	if (!copy)
		return -ENOMEM;
	copy->n = pg->n;
	memcpy(copy->r, pg->r, pg->n * sizeof(pg->r[0]));
	/* Built anew: the bits of rules deleted since do not carry over. */
	for (j = 0; j < pg->n; j++)
		moat_bloom_add(copy, pg->r[j]);
	rules->p[k].pg = copy;
	moat_page_put(pg);
	return 0;
}

/* Shifts the starts of pages @k on by @d rules. */
static void moat_pages_shift(struct moat_rules *rules, u32 k, int d)
{
	for (; k < rules->n_pages; k++)
		rules->p[k].start += d;
}

/* Makes @pg page @k of @rules (room for it is the caller's). */
static void moat_pages_add(struct moat_rules *rules, u32 k,
			   struct moat_page *pg, u32 start)
{
	memmove(&rules->p[k + 1], &rules->p[k],
		(rules->n_pages - k) * sizeof(rules->p[0]));
	rules->p[k] = (struct moat_page_ref){ .pg = pg, .start = start };
	rules->n_pages++;
}

static void moat_pages_drop(struct moat_rules *rules, u32 k)
{
	moat_page_put(rules->p[k].pg);
	rules->n_pages--;
	memmove(&rules->p[k], &rules->p[k + 1],
		(rules->n_pages - k) * sizeof(rules->p[0]));
}

static void moat_page_put_rule(struct moat_page *pg, u32 j,
			       struct moat_rule *r)
{
	memmove(&pg->r[j + 1], &pg->r[j], (pg->n - j) * sizeof(pg->r[0]));
	pg->r[j] = r;
	pg->n++;
	moat_bloom_add(pg, r);
}

/* Moves the upper half of full page @k (owned) to a new page after it. */
static void moat_page_split(struct moat_rules *rules, u32 k,
			    struct moat_page *upper)
{
	struct moat_page *pg = rules->p[k].pg;
	u32 keep = MOAT_PAGE_RULES / 2, j;

	upper->n = pg->n - keep;
	memcpy(upper->r, &pg->r[keep], upper->n * sizeof(pg->r[0]));
	for (j = 0; j < upper->n; j++)
		moat_bloom_add(upper, upper->r[j]);
	pg->n = keep;
	moat_pages_add(rules, k + 1, upper, rules->p[k].start + keep);
}

/*
 * Puts @r at position @pos (<= rules->n), all or nothing.  The caller
 * leaves room for one more page.  Appending to a full last page starts a
 * new one, so a restore fills its pages.
 */
int moat_rules_insert(struct moat_rules *rules, u32 pos, struct moat_rule *r)
{
	struct moat_page *spare = NULL;
	u32 k = 0, j = 0;
	bool split;

	if (rules->n_pages) {
		k = moat_page_of(rules, pos);
		j = pos - rules->p[k].start;
	}
	if (!rules->n_pages || j == MOAT_PAGE_RULES) {
		/* Empty, or appending past a full page. */
		spare = moat_page_alloc();
		if (!spare)
			return -ENOMEM;
		k += !!rules->n_pages;
		moat_pages_add(rules, k, spare, pos);
		j = 0;
	} else {
		split = rules->p[k].pg->n == MOAT_PAGE_RULES;
		if (split) {
			spare = moat_page_alloc();
			if (!spare)
				return -ENOMEM;
		}
		if (moat_page_own(rules, k)) {
			kfree(spare);
			return -ENOMEM;
		}
		if (split) {
			moat_page_split(rules, k, spare);
			if (j > MOAT_PAGE_RULES / 2) {
				j -= MOAT_PAGE_RULES / 2;
				k++;
			}
		}
	}
	moat_page_put_rule(rules->p[k].pg, j, r);
	moat_pages_shift(rules, k + 1, 1);
	rules->n++;
	return 0;
}

/* Joins page @k + 1 into page @k (owned): neither holds many rules. */
static void moat_pages_join(struct moat_rules *rules, u32 k)
{
	struct moat_page *pg = rules->p[k].pg, *next = rules->p[k + 1].pg;

	memcpy(&pg->r[pg->n], next->r, next->n * sizeof(pg->r[0]));
	pg->n += next->n;
	bitmap_or(pg->bloom, pg->bloom, next->bloom, MOAT_BLOOM_BITS);
	moat_pages_drop(rules, k + 1);
}

/* Joins page @k - 1 into page @k (owned), in front of its rules. */
static void moat_pages_join_prev(struct moat_rules *rules, u32 k)
{
	struct moat_page *pg = rules->p[k].pg, *prev = rules->p[k - 1].pg;

	memmove(&pg->r[prev->n], pg->r, pg->n * sizeof(pg->r[0]));
	memcpy(pg->r, prev->r, prev->n * sizeof(pg->r[0]));
	pg->n += prev->n;
	bitmap_or(pg->bloom, pg->bloom, prev->bloom, MOAT_BLOOM_BITS);
	rules->p[k].start = rules->p[k - 1].start;
	moat_pages_drop(rules, k - 1);
}

/* Takes rule @pos (< rules->n) out of the list, all or nothing. */
int moat_rules_remove(struct moat_rules *rules, u32 pos)
{
	u32 k = moat_page_of(rules, pos), j = pos - rules->p[k].start;
	struct moat_page *pg = rules->p[k].pg;

	if (pg->n == 1) {
		moat_pages_drop(rules, k);
		moat_pages_shift(rules, k, -1);
		rules->n--;
		return 0;
	}
	if (moat_page_own(rules, k))
		return -ENOMEM;
	pg = rules->p[k].pg;
	pg->n--;
	memmove(&pg->r[j], &pg->r[j + 1], (pg->n - j) * sizeof(pg->r[0]));
	moat_pages_shift(rules, k + 1, -1);
	rules->n--;
	if (k + 1 < rules->n_pages &&
	    pg->n + rules->p[k + 1].pg->n <= MOAT_PAGE_MERGE)
		moat_pages_join(rules, k);
	else if (k && rules->p[k - 1].pg->n + pg->n <= MOAT_PAGE_MERGE)
		moat_pages_join_prev(rules, k);
	return 0;
}

/* Puts @r in place of rule @pos (< rules->n). */
int moat_rules_set(struct moat_rules *rules, u32 pos, struct moat_rule *r)
{
	u32 k = moat_page_of(rules, pos);
	struct moat_page *pg;

	if (moat_page_own(rules, k))
		return -ENOMEM;
	pg = rules->p[k].pg;
	pg->r[pos - rules->p[k].start] = r;
	moat_bloom_add(pg, r);
	return 0;
}

/* The position of the first rule equal to @r, or -ESRCH. */
int moat_rules_find(const struct moat_rules *rules, const struct moat_rule *r)
{
	const struct moat_page *pg;
	u32 k, j;

	for (k = 0; k < rules->n_pages; k++) {
		pg = rules->p[k].pg;
		if (!moat_bloom_may_hold(pg, r->hash))
			continue;
		for (j = 0; j < pg->n; j++)
			if (pg->r[j]->hash == r->hash &&
			    moat_rule_equal(pg->r[j], r))
				return rules->p[k].start + j;
	}
	return -ESRCH;
}
