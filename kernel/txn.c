// SPDX-License-Identifier: GPL-2.0
/*
 * moat: transactions.  Every change, a single -A as much as a restore of a
 * whole table, is staged here: chains are copied on first write, rules
 * added or removed in the copies, and nothing is visible until commit
 * validates the result and publishes it in one view swap.  Abort, or a
 * failed commit, leaves the live table exactly as it was.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include "moat.h"

/* What one namespace may hold; a change past it fails, changing nothing. */
static unsigned int max_rules = 1000000;
module_param(max_rules, uint, 0644);
MODULE_PARM_DESC(max_rules, "rules per network namespace, all tables (0: no limit)");
static unsigned long max_rule_mem = 1UL << 30;
module_param(max_rule_mem, ulong, 0644);
MODULE_PARM_DESC(max_rule_mem, "bytes of rules per network namespace (0: no limit)");

/* A rule's memory: itself, its counters and its matches' state. */
static u64 moat_rule_bytes(const struct moat_rule *r)
{
	const struct moat_match *m;
	u64 n = struct_size(r, ext, r->ext_len) +
		sizeof(struct moat_counter) * num_possible_cpus();

	moat_for_each_match(m, r)
		if (m->type->mem)
			n += m->type->mem(m->priv);
	return n;
}

/* Whether the namespace has room for @r on top of what is staged. */
static int moat_txn_room(struct moat_txn *txn, const struct moat_rule *r,
			 struct netlink_ext_ack *extack)
{
	struct moat_net *mn = moat_pernet(txn->t->net);
	unsigned int rules = READ_ONCE(max_rules);
	unsigned long mem = READ_ONCE(max_rule_mem);

	if (rules && mn->n_rules + txn->d_rules + 1 > rules) {
		NL_SET_ERR_MSG(extack, "the namespace's rule limit (moat.max_rules) is reached");
		return -ENOSPC;
	}
	if (mem && mn->rule_bytes + txn->d_bytes + moat_rule_bytes(r) > mem) {
		NL_SET_ERR_MSG(extack, "the namespace's rule memory limit (moat.max_rule_mem) is reached");
		return -ENOSPC;
	}
	return 0;
}

static bool moat_rule_jumps(const struct moat_rule *r)
{
	return r->kind == MOAT_T_JUMP || r->kind == MOAT_T_GOTO;
}

/* A staged rule counts in its target's staged references. */
static void moat_txn_link(struct moat_txn *txn, struct moat_rule *r)
{
	txn->d_rules++;
	txn->d_bytes += moat_rule_bytes(r);
	if (moat_rule_hooks(r) != (1 << NF_INET_NUMHOOKS) - 1)
		txn->hooks_limited = true;
	if (!moat_rule_jumps(r))
		return;
	r->chain->tc->refs++;
	txn->jumps_added = true;
}

/* Room for @n more rules in the list at @list (growing it doubles it). */
static int moat_rule_list_reserve(struct moat_grave **list, u32 n)
{
	struct moat_grave *old = *list, *grave;
	u32 have = old ? old->n : 0, cap;

	if (old && have + n <= old->cap)
		return 0;
	cap = max3(16u, old ? old->cap * 2 : 0, have + n);
	grave = kvmalloc(struct_size(grave, r, cap), GFP_KERNEL_ACCOUNT);
	if (!grave)
		return -ENOMEM;
	grave->n = have;
	grave->cap = cap;
	if (old)
		memcpy(grave->r, old->r, have * sizeof(grave->r[0]));
	kvfree(old);
	*list = grave;
	return 0;
}

/* Room to retire @n more live rules, so that unlinking cannot fail. */
static int moat_txn_reserve(struct moat_txn *txn, u32 n)
{
	return moat_rule_list_reserve(&txn->retired, n);
}

/* Frees the rules the transaction made and took out again. */
static void moat_txn_sweep_made(struct moat_txn *txn)
{
	struct moat_grave *made = txn->made;
	u32 i, n = 0;

	for (i = 0; i < made->n; i++) {
		if (made->r[i]->fresh == MOAT_RULE_FRESH_GONE)
			moat_rule_free(made->r[i]);
		else
			made->r[n++] = made->r[i];
	}
	made->n = n;
	txn->made_bytes -= txn->gone_bytes;
	txn->gone_bytes = 0;
}

/*
 * Room to note one more rule as made by the transaction.  Rules it made
 * and took out again (a restore appending and flushing) no longer count
 * against the namespace's limits, so they are swept once they are over
 * 1 MiB and half of what it made: an open transaction holds at most that
 * much more than it keeps, at O(1) a rule.
 */
static int moat_txn_made_reserve(struct moat_txn *txn)
{
	if (txn->gone_bytes >= SZ_1M && 2 * txn->gone_bytes >= txn->made_bytes)
		moat_txn_sweep_made(txn);
	return moat_rule_list_reserve(&txn->made, 1);
}

/*
 * Notes @r as made by the transaction (room reserved): commit then needs
 * to visit only the rules it made, not every rule of the chains it changed.
 */
static void moat_txn_made(struct moat_txn *txn, struct moat_rule *r)
{
	txn->made->r[txn->made->n++] = r;
	txn->made_bytes += moat_rule_bytes(r);
	r->fresh = MOAT_RULE_FRESH;
}

static void moat_txn_retire(struct moat_txn *txn, struct moat_rule *r)
{
	txn->d_rules--;
	txn->d_bytes -= moat_rule_bytes(r);
	txn->retired->r[txn->retired->n++] = r;
}

/*
 * Takes @r out of the staged table: a rule of this transaction is freed
 * by a sweep or when it ends (no packet saw it), a live one after commit
 * (packets may be using it until then).  The caller has reserved room with
 * moat_txn_reserve.
 */
static void moat_txn_unlink(struct moat_txn *txn, struct moat_rule *r)
{
	if (moat_rule_jumps(r))
		r->chain->tc->refs--;
	if (!r->fresh) {
		moat_txn_retire(txn, r);
		return;
	}
	txn->d_rules--;
	txn->d_bytes -= moat_rule_bytes(r);
	txn->gone_bytes += moat_rule_bytes(r);
	r->fresh = MOAT_RULE_FRESH_GONE;
}

/* At commit, the rules the transaction made are live, or gone already. */
static void moat_txn_settle_made(struct moat_txn *txn)
{
	struct moat_grave *made = txn->made;
	u32 i;

	for (i = 0; made && i < made->n; i++) {
		if (made->r[i]->fresh == MOAT_RULE_FRESH_GONE)
			moat_rule_free(made->r[i]);
		else
			made->r[i]->fresh = MOAT_RULE_LIVE;
	}
	kvfree(made);
	txn->made = NULL;
}

/* On abort, every rule the transaction made goes. */
static void moat_txn_free_made(struct moat_txn *txn)
{
	struct moat_grave *made = txn->made;
	u32 i;

	for (i = 0; made && i < made->n; i++)
		moat_rule_free(made->r[i]);
	kvfree(made);
	txn->made = NULL;
}

static void moat_grave_free_work(struct work_struct *work)
{
	struct moat_grave *grave = container_of(to_rcu_work(work),
						struct moat_grave, rwork);
	u32 i;

	for (i = 0; i < grave->n; i++) {
		moat_rule_free(grave->r[i]);
		if (!(i & 1023))
			cond_resched();
	}
	kvfree(grave);
}

/* Frees the retired rules after a grace period, in process context. */
static void moat_txn_bury(struct moat_txn *txn)
{
	struct moat_grave *grave = txn->retired;

	txn->retired = NULL;
	if (!grave)
		return;
	INIT_RCU_WORK(&grave->rwork, moat_grave_free_work);
	queue_rcu_work(moat_wq, &grave->rwork);
}

/*
 * Makes the staged rules of @tc a list of their own (sharing the live
 * list's pages) with room for one more page.
 */
static int moat_tc_cow(struct moat_txn *txn, struct moat_txn_chain *tc)
{
	const struct moat_rules *cur = moat_tc_rules(tc);
	struct moat_rules *next;

	txn->dirty = true;
	if (tc->rules && cur->n_pages < cur->cap)
		return 0;
	/* Doubling keeps a restore's new pages O(1) each. */
	next = moat_rules_copy(cur, max(4u, cur->n_pages * 2));
	if (!next)
		return -ENOMEM;
	moat_rules_free(tc->rules);
	tc->rules = next;
	return 0;
}

struct moat_txn_chain *moat_txn_chain(struct moat_txn *txn, const char *name)
{
	struct moat_txn_chain *tc;

	list_for_each_entry(tc, &txn->chains, list)
		if (!strcmp(tc->name, name))
			return tc;
	return NULL;
}

static struct moat_txn_chain *moat_tc_new(struct moat_txn *txn,
					  struct moat_chain *c)
{
	struct moat_txn_chain *tc = kzalloc(sizeof(*tc), GFP_KERNEL_ACCOUNT);

	if (!tc)
		return NULL;
	tc->c = c;
	strscpy(tc->name, c->name, sizeof(tc->name));
	tc->policy = c->policy;
	tc->refs = c->refs;
	c->tc = tc;
	list_add_tail(&tc->list, &txn->chains);
	txn->n_chains++;
	return tc;
}

/* With @flush, every live rule goes and only built-in chains stay. */
static int moat_txn_stage_flush(struct moat_txn *txn)
{
	struct moat_txn_chain *tc;
	struct moat_cursor cur;
	struct moat_rule *r;
	struct moat_chain *c;
	u32 i, n = 0;

	list_for_each_entry(c, &txn->t->chains, list)
		n += c->rules->n;
	if (moat_txn_reserve(txn, n))
		return -ENOMEM;
	/* User chains are not staged: every reference goes with them. */
	list_for_each_entry(c, &txn->t->chains, list)
		moat_rules_for_each(c->rules, cur, i, r)
			moat_txn_retire(txn, r);
	list_for_each_entry(tc, &txn->chains, list) {
		tc->refs = 0;
		moat_edits_overflow(&tc->edits);
		tc->rules = moat_rules_alloc(4);
		if (!tc->rules)
			return -ENOMEM;
	}
	return 0;
}

struct moat_txn *moat_txn_begin(struct moat_table *t, u32 portid, bool flush)
{
	struct moat_txn *txn = kzalloc(sizeof(*txn), GFP_KERNEL_ACCOUNT);
	struct moat_chain *c;

	if (!txn)
		return NULL;
	txn->t = t;
	txn->portid = portid;
	txn->dirty = flush;
	INIT_LIST_HEAD(&txn->chains);
	INIT_LIST_HEAD(&txn->dead);
	t->txn = txn;
	list_for_each_entry(c, &t->chains, list) {
		c->tc = NULL;
		if (flush && c->hook < 0)
			continue;
		if (!moat_tc_new(txn, c))
			goto err_abort;
	}
	if (flush && moat_txn_stage_flush(txn))
		goto err_abort;
	return txn;

err_abort:
	moat_txn_abort(txn);
	return NULL;
}

static void moat_tc_free(struct moat_txn *txn, struct moat_txn_chain *tc)
{
	list_del(&tc->list);
	txn->n_chains--;
	if (tc->is_new) {
		ida_free(&txn->t->slots, tc->c->slot);
		moat_chain_free(tc->c);
	} else {
		tc->c->tc = NULL;
	}
	kfree(tc);
}

void moat_txn_abort(struct moat_txn *txn)
{
	struct moat_txn_chain *tc, *tmp;

	moat_txn_free_made(txn);
	list_for_each_entry_safe(tc, tmp, &txn->chains, list) {
		moat_rules_free(tc->rules);
		moat_tc_free(txn, tc);
	}
	txn->t->txn = NULL;
	kvfree(txn->retired);
	kfree(txn);
}

/*
 * Past validation: nothing here can fail.  What the commit replaces stays
 * where packets on the old view can reach it, and is retired only once the
 * new view is out: a grace period started before that could end while a
 * packet that has just read the old view is still walking it.
 */
static void moat_txn_apply(struct moat_txn *txn)
{
	struct moat_table *t = txn->t;
	struct moat_txn_chain *tc;
	struct moat_chain *c, *ctmp;
	struct moat_rules *old;

	list_for_each_entry_safe(c, ctmp, &t->chains, list) {
		list_del(&c->list);
		if (c->tc)
			continue;
		/* Deleted in the transaction: no staged rule points here. */
		list_add_tail(&c->list, &txn->dead);
	}
	t->n_chains = 0;
	list_for_each_entry(tc, &txn->chains, list) {
		c = tc->c;
		if (tc->rules) {
			moat_classify_patch(c->rules, tc->rules, &tc->edits);
			old = c->rules;
			c->rules = tc->rules;
			tc->rules = old;
		}
		strscpy(c->name, tc->name, sizeof(c->name));
		c->policy = tc->policy;
		c->refs = tc->refs;
		if (tc->set_cnt)
			moat_counters_set(&c->policy_cnt, &tc->cnt);
		c->tc = NULL;
		list_add_tail(&c->list, &t->chains);
		t->n_chains++;
	}
}

/* After the new view is out: frees what moat_txn_apply() replaced. */
static void moat_txn_retire_replaced(struct moat_txn *txn)
{
	struct moat_txn_chain *tc, *tmp;
	struct moat_chain *c, *ctmp;

	list_for_each_entry_safe(c, ctmp, &txn->dead, list) {
		list_del(&c->list);
		ida_free(&txn->t->slots, c->slot);
		moat_chain_retire(c);
	}
	list_for_each_entry_safe(tc, tmp, &txn->chains, list) {
		if (tc->rules)
			moat_rules_retire(tc->rules);
		kfree(tc);
	}
	moat_txn_bury(txn);
}

int moat_txn_commit(struct moat_txn *txn, struct netlink_ext_ack *extack)
{
	struct moat_table *t = txn->t;
	struct moat_view *v;
	int err;

	if (txn->failed) {
		NL_SET_ERR_MSG(extack, "an earlier command of the transaction failed");
		moat_txn_abort(txn);
		return -ECANCELED;
	}
	/* -C and lookups change nothing: no new view, no new generation. */
	if (!txn->dirty) {
		moat_txn_abort(txn);
		return 0;
	}
	err = txn->jumps_added || txn->hooks_limited ?
	      moat_graph_check(txn, extack) : 0;
	if (err) {
		moat_txn_abort(txn);
		return err;
	}
	v = moat_view_alloc(t);
	if (!v) {
		moat_txn_abort(txn);
		return -ENOMEM;
	}
	moat_txn_apply(txn);
	moat_txn_settle_made(txn);
	moat_view_install(t, v);
	moat_txn_retire_replaced(txn);
	moat_pernet(t->net)->n_rules += txn->d_rules;
	moat_pernet(t->net)->rule_bytes += txn->d_bytes;
	moat_classify_later(moat_pernet(t->net));
	t->txn = NULL;
	kfree(txn);
	return 0;
}

int moat_txn_new_chain(struct moat_txn *txn, const char *name,
		       struct netlink_ext_ack *extack)
{
	struct moat_table *t = txn->t;
	struct moat_txn_chain *tc;
	struct moat_chain *c;
	int slot;

	if (moat_txn_chain(txn, name)) {
		NL_SET_ERR_MSG(extack, "a chain of that name exists");
		return -EEXIST;
	}
	c = moat_chain_alloc(name, -1);
	if (!c)
		return -ENOMEM;
	/* The lowest free slot keeps views as small as the chain count. */
	slot = ida_alloc(&t->slots, GFP_KERNEL);
	if (slot < 0) {
		moat_chain_free(c);
		return slot;
	}
	c->slot = slot;
	t->n_slots = max_t(u32, t->n_slots, slot + 1);
	tc = moat_tc_new(txn, c);
	if (!tc) {
		ida_free(&t->slots, slot);
		moat_chain_free(c);
		return -ENOMEM;
	}
	tc->is_new = true;
	txn->dirty = true;
	return 0;
}

static int moat_tc_deletable(struct moat_txn_chain *tc,
			     struct netlink_ext_ack *extack)
{
	if (tc->c->hook >= 0) {
		NL_SET_ERR_MSG(extack, "built-in chains cannot be deleted");
		return -EINVAL;
	}
	if (tc->refs) {
		NL_SET_ERR_MSG(extack, "the chain is still referenced");
		return -EMLINK;
	}
	if (moat_tc_rules(tc)->n) {
		NL_SET_ERR_MSG(extack, "the chain is not empty");
		return -ENOTEMPTY;
	}
	return 0;
}

/* Drops a deletable chain; a live one goes from the table at commit. */
static void moat_tc_delete(struct moat_txn *txn, struct moat_txn_chain *tc)
{
	txn->dirty = true;
	moat_rules_free(tc->rules);
	moat_tc_free(txn, tc);
}

/* Deletes @tc, or with @tc NULL every user chain, all or nothing. */
int moat_txn_del_chain(struct moat_txn *txn, struct moat_txn_chain *tc,
		       struct netlink_ext_ack *extack)
{
	struct moat_txn_chain *tmp;
	int err;

	if (tc) {
		err = moat_tc_deletable(tc, extack);
		if (!err)
			moat_tc_delete(txn, tc);
		return err;
	}
	list_for_each_entry(tc, &txn->chains, list) {
		err = tc->c->hook < 0 ? moat_tc_deletable(tc, extack) : 0;
		if (err)
			return err;
	}
	list_for_each_entry_safe(tc, tmp, &txn->chains, list)
		if (tc->c->hook < 0)
			moat_tc_delete(txn, tc);
	return 0;
}

int moat_txn_rename(struct moat_txn *txn, struct moat_txn_chain *tc,
		    const char *newname, struct netlink_ext_ack *extack)
{
	if (tc->c->hook >= 0) {
		NL_SET_ERR_MSG(extack, "built-in chains cannot be renamed");
		return -ENOENT;
	}
	if (moat_txn_chain(txn, newname)) {
		NL_SET_ERR_MSG(extack, "a chain of that name exists");
		return -EEXIST;
	}
	strscpy(tc->name, newname, sizeof(tc->name));
	txn->dirty = true;
	return 0;
}

void moat_txn_policy(struct moat_txn *txn, struct moat_txn_chain *tc,
		     u8 policy, const struct moat_counter *cnt)
{
	txn->dirty = true;
	tc->policy = policy;
	if (cnt) {
		tc->set_cnt = true;
		tc->cnt = *cnt;
	}
}

static int moat_pos_check(const struct moat_txn_chain *tc, u32 pos, u32 extra,
			  struct netlink_ext_ack *extack)
{
	if (pos < moat_tc_rules(tc)->n + extra)
		return 0;
	NL_SET_ERR_MSG(extack, "no rule at that position");
	return -E2BIG;
}

/* Stages @r at @pos (0-based); the transaction owns it from now on. */
int moat_txn_insert(struct moat_txn *txn, struct moat_txn_chain *tc, u32 pos,
		    struct moat_rule *r, struct netlink_ext_ack *extack)
{
	int err;

	err = moat_pos_check(tc, pos, 1, extack) ?: moat_txn_room(txn, r, extack) ?:
	      moat_tc_cow(txn, tc) ?: moat_txn_made_reserve(txn) ?:
	      moat_rules_insert(tc->rules, pos, r);
	if (err) {
		moat_rule_free(r);
		return err;
	}
	moat_txn_made(txn, r);
	moat_txn_link(txn, r);
	moat_edits_add(&tc->edits, MOAT_EDIT_INSERT, pos);
	return 0;
}

int moat_txn_delete(struct moat_txn *txn, struct moat_txn_chain *tc, u32 pos,
		    struct netlink_ext_ack *extack)
{
	struct moat_rule *r;
	int err;

	err = moat_pos_check(tc, pos, 0, extack) ?: moat_tc_cow(txn, tc) ?:
	      moat_txn_reserve(txn, 1);
	if (err)
		return err;
	r = moat_rules_at(tc->rules, pos);
	err = moat_rules_remove(tc->rules, pos);
	if (err)
		return err;
	moat_txn_unlink(txn, r);
	moat_edits_add(&tc->edits, MOAT_EDIT_DELETE, pos);
	return 0;
}

/* Stages @r in place of rule @pos; the transaction owns @r from now on. */
int moat_txn_replace(struct moat_txn *txn, struct moat_txn_chain *tc, u32 pos,
		     struct moat_rule *r, struct netlink_ext_ack *extack)
{
	struct moat_rule *old;
	int err;

	err = moat_pos_check(tc, pos, 0, extack) ?: moat_tc_cow(txn, tc) ?:
	      moat_txn_reserve(txn, 1) ?: moat_txn_made_reserve(txn);
	if (err) {
		moat_rule_free(r);
		return err;
	}
	old = moat_rules_at(tc->rules, pos);
	/* Room for @r once @old is gone. */
	txn->d_rules--;
	txn->d_bytes -= moat_rule_bytes(old);
	err = moat_txn_room(txn, r, extack);
	txn->d_rules++;
	txn->d_bytes += moat_rule_bytes(old);
	if (!err)
		err = moat_rules_set(tc->rules, pos, r);
	if (err) {
		moat_rule_free(r);
		return err;
	}
	moat_txn_made(txn, r);
	moat_txn_unlink(txn, old);
	moat_txn_link(txn, r);
	if (!moat_classify_same_key(old, r))
		moat_edits_add(&tc->edits, MOAT_EDIT_REKEY, pos);
	return 0;
}

/* The 0-based position of the first rule equal to @r, or -ESRCH. */
int moat_txn_find(const struct moat_txn_chain *tc, const struct moat_rule *r)
{
	return moat_rules_find(moat_tc_rules(tc), r);
}

static int moat_tc_flush(struct moat_txn *txn, struct moat_txn_chain *tc)
{
	const struct moat_rules *rules = moat_tc_rules(tc);
	struct moat_rules *next;
	struct moat_cursor cur;
	struct moat_rule *r;
	u32 i;

	if (!rules->n)
		return 0;
	next = moat_rules_alloc(4);
	if (!next || moat_txn_reserve(txn, rules->n)) {
		kvfree(next);
		return -ENOMEM;
	}
	moat_rules_for_each(rules, cur, i, r)
		moat_txn_unlink(txn, r);
	moat_edits_overflow(&tc->edits);
	txn->dirty = true;
	moat_rules_free(tc->rules);
	tc->rules = next;
	return 0;
}

/* Empties @tc, or with @tc NULL every chain. */
int moat_txn_flush(struct moat_txn *txn, struct moat_txn_chain *tc)
{
	int err = 0;

	if (tc)
		return moat_tc_flush(txn, tc);
	list_for_each_entry(tc, &txn->chains, list) {
		err = moat_tc_flush(txn, tc);
		if (err)
			break;
	}
	return err;
}
