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
	stack[(*sp)++] = (struct moat_frame){ c, moat_tc_rules(c->tc), 0 };
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
				r = f->rules->r[f->i - 1];
				f->c->height = max(f->c->height, moat_height_via(r));
			}
			continue;
		}
		r = f->rules->r[f->i++];
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
	return err;
}
