// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the jump graph of a staged table must be loop-free and no deeper
 * than MOAT_MAX_DEPTH calls, or a packet could loop forever or overflow
 * the evaluation stack.  Checked once per transaction that adds a jump.
 */
#include <linux/slab.h>
#include "moat.h"

enum { MOAT_WHITE, MOAT_GRAY, MOAT_BLACK };

struct moat_frame {
	struct moat_chain *c;
	const struct moat_rules *rules;
	struct moat_cursor cur;
	u32 i;
};

static bool moat_jumps(const struct moat_rule *r)
{
	return r->kind == MOAT_T_JUMP || r->kind == MOAT_T_GOTO;
}

/* Only a jump pushes a return address; a goto replaces the frame. */
static u32 moat_height_via(const struct moat_rule *r)
{
	return r->chain->height + (r->kind == MOAT_T_JUMP);
}

static void moat_push(struct moat_frame *stack, unsigned int *sp,
		      struct moat_chain *c)
{
	c->mark = MOAT_GRAY;
	stack[(*sp)++] = (struct moat_frame){ .c = c, .rules = moat_tc_rules(c->tc) };
}

/*
 * Depth-first from @base, iteratively so the kernel stack stays small:
 * refuses a loop and records in each chain the deepest call stack a
 * packet entering it can build.
 */
static int moat_walk(struct moat_chain *base, struct moat_frame *stack)
{
	unsigned int sp = 0;

	moat_push(stack, &sp, base);
	while (sp) {
		struct moat_frame *f = &stack[sp - 1];
		const struct moat_rule *r;

		if (f->i == f->rules->n) {
			f->c->mark = MOAT_BLACK;
			if (--sp) {
				f = &stack[sp - 1];
				r = moat_rules_get(f->rules, &f->cur, f->i - 1);
				f->c->height = max(f->c->height, moat_height_via(r));
			}
			continue;
		}
		r = moat_rules_get(f->rules, &f->cur, f->i++);
		if (!moat_jumps(r))
			continue;
		if (r->chain->mark == MOAT_GRAY)
			return -ELOOP;
		if (r->chain->mark == MOAT_BLACK)
			f->c->height = max(f->c->height, moat_height_via(r));
		else
			moat_push(stack, &sp, r->chain);
	}
	return 0;
}

/* Marks in ->reach every chain a packet entering at @base can visit. */
static void moat_reach(struct moat_chain *base, struct moat_chain **stack)
{
	unsigned int sp = 0, bit = BIT(base->hook);
	struct moat_cursor cur;
	struct moat_chain *c;
	struct moat_rule *r;
	u32 i;

	base->reach |= bit;
	stack[sp++] = base;
	while (sp) {
		c = stack[--sp];
		moat_rules_for_each(moat_tc_rules(c->tc), cur, i, r) {
			if (!moat_jumps(r) || r->chain->reach & bit)
				continue;
			r->chain->reach |= bit;
			stack[sp++] = r->chain;
		}
	}
}

/*
 * Some matches and targets are valid in some hooks only (owner: OUTPUT and
 * POSTROUTING): every chain they sit in must be reached from those only.
 */
static int moat_hooks_check(struct moat_txn *txn, struct netlink_ext_ack *extack)
{
	struct moat_chain **stack;
	struct moat_txn_chain *tc;
	struct moat_cursor cur;
	struct moat_rule *r;
	int hook;
	u32 i;

	stack = kvmalloc_array(txn->n_chains, sizeof(*stack), GFP_KERNEL);
	if (!stack)
		return -ENOMEM;
	list_for_each_entry(tc, &txn->chains, list)
		tc->c->reach = 0;
	for (hook = 0; hook < NF_INET_NUMHOOKS; hook++)
		if (txn->t->builtin[hook])
			moat_reach(txn->t->builtin[hook], stack);
	kvfree(stack);
	list_for_each_entry(tc, &txn->chains, list) {
		moat_rules_for_each(moat_tc_rules(tc), cur, i, r) {
			if (!(tc->c->reach & ~moat_rule_hooks(r)))
				continue;
			NL_SET_ERR_MSG(extack, "a match or target of the rule is not valid from this hook");
			return -EINVAL;
		}
	}
	return 0;
}

int moat_graph_check(struct moat_txn *txn, struct netlink_ext_ack *extack)
{
	struct moat_table *t = txn->t;
	struct moat_txn_chain *tc;
	struct moat_frame *stack;
	struct moat_chain *c;
	int hook, err = 0;

	stack = kvmalloc_array(txn->n_chains, sizeof(*stack), GFP_KERNEL);
	if (!stack)
		return -ENOMEM;
	list_for_each_entry(tc, &txn->chains, list) {
		tc->c->mark = MOAT_WHITE;
		tc->c->height = 0;
	}
	for (hook = 0; hook < NF_INET_NUMHOOKS && !err; hook++) {
		c = t->builtin[hook];
		if (!c)
			continue;
		err = moat_walk(c, stack);
		if (err) {
			NL_SET_ERR_MSG(extack, "the chains would jump in a loop");
		} else if (c->height > MOAT_MAX_DEPTH) {
			NL_SET_ERR_MSG(extack, "chains would nest deeper than 32 calls");
			err = -ELOOP;
		}
	}
	kvfree(stack);
	return err ?: moat_hooks_check(txn, extack);
}
