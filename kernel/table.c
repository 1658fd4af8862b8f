// SPDX-License-Identifier: GPL-2.0
/*
 * moat: tables, chains and their rule lists.  Every function here runs
 * under the namespace's lock.  A change builds new rule arrays off to the
 * side, validates them, then publishes a new view in one pointer swap
 * (moat_commit); what it replaced is freed after an RCU grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/netfilter_ipv4.h>
#include "moat.h"

const struct moat_table_def moat_table_defs[MOAT_MAX_TABLES] = {
	{
		.name = "filter",
		.hooks = BIT(NF_INET_LOCAL_IN) | BIT(NF_INET_FORWARD) |
			 BIT(NF_INET_LOCAL_OUT),
		.priority = NF_IP_PRI_FILTER,
	},
};

static const char *const moat_hook_names[NF_INET_NUMHOOKS] = {
	[NF_INET_PRE_ROUTING] = "PREROUTING",
	[NF_INET_LOCAL_IN] = "INPUT",
	[NF_INET_FORWARD] = "FORWARD",
	[NF_INET_LOCAL_OUT] = "OUTPUT",
	[NF_INET_POST_ROUTING] = "POSTROUTING",
};

static struct moat_rules *moat_rules_alloc(u32 n)
{
	struct moat_rules *rules;

	rules = kvzalloc(struct_size(rules, r, n), GFP_KERNEL_ACCOUNT);
	if (rules)
		rules->n = n;
	return rules;
}

static void moat_rules_free_rcu(struct rcu_head *head)
{
	kvfree(container_of(head, struct moat_rules, rcu));
}

static void moat_view_free_rcu(struct rcu_head *head)
{
	kvfree(container_of(head, struct moat_view, rcu));
}

static struct moat_view *moat_view_alloc(u32 n_slots)
{
	struct moat_view *v;

	v = kvzalloc(struct_size(v, rules, n_slots), GFP_KERNEL_ACCOUNT);
	if (v)
		v->n_slots = n_slots;
	return v;
}

/* Publishes every chain's current rules as the next view. */
static void moat_publish(struct moat_table *t, struct moat_view *v)
{
	struct moat_view *old = rcu_dereference_protected(t->view, true);
	struct moat_chain *c;

	list_for_each_entry(c, &t->chains, list)
		v->rules[c->slot] = c->rules;
	rcu_assign_pointer(t->view, v);
	t->generation++;
	if (old)
		call_rcu(&old->rcu, moat_view_free_rcu);
}

/* Counts @r's jump in its target; the rule is about to be published. */
static void moat_rule_link(struct moat_rule *r)
{
	if (r->kind == MOAT_T_JUMP || r->kind == MOAT_T_GOTO)
		r->chain->refs++;
}

/* Undoes moat_rule_link and frees @r once no packet can see it. */
static void moat_rule_retire(struct moat_rule *r)
{
	if (r->kind == MOAT_T_JUMP || r->kind == MOAT_T_GOTO)
		r->chain->refs--;
	moat_rule_free_rcu(r);
}

/*
 * Makes @rules the rule list of @c.  Cannot fail once the view is
 * allocated, so callers allocate everything before calling it.
 */
static int moat_commit(struct moat_table *t, struct moat_chain *c,
		       struct moat_rules *rules)
{
	struct moat_view *v = moat_view_alloc(t->n_slots);
	struct moat_rules *old = c->rules;

	if (!v)
		return -ENOMEM;
	c->rules = rules;
	moat_publish(t, v);
	call_rcu(&old->rcu, moat_rules_free_rcu);
	return 0;
}

enum { MOAT_WHITE, MOAT_GRAY, MOAT_BLACK };

struct moat_frame {
	struct moat_chain *c;
	const struct moat_rules *rules;
	u32 i;
};

static const struct moat_rules *moat_rules_of(struct moat_chain *c,
					      struct moat_chain *changed,
					      const struct moat_rules *next)
{
	return c == changed ? next : c->rules;
}

/*
 * Walks the jump graph from @base as it would be with @next as the rules
 * of @changed: refuses a loop, and records in each chain the deepest call
 * stack a packet entering it can build.
 */
static int moat_walk(struct moat_chain *base, struct moat_chain *changed,
		     const struct moat_rules *next, struct moat_frame *stack)
{
	unsigned int sp = 0;

	base->mark = MOAT_GRAY;
	stack[sp++] = (struct moat_frame){ base, moat_rules_of(base, changed, next), 0 };
	while (sp) {
		struct moat_frame *f = &stack[sp - 1];
		const struct moat_rule *r;
		struct moat_chain *to;

		if (f->i == f->rules->n) {
			f->c->mark = MOAT_BLACK;
			if (--sp) {
				f = &stack[sp - 1];
				r = f->rules->r[f->i - 1];
				f->c->height = max(f->c->height, r->chain->height +
						   (r->kind == MOAT_T_JUMP));
			}
			continue;
		}
		r = f->rules->r[f->i++];
		if (r->kind != MOAT_T_JUMP && r->kind != MOAT_T_GOTO)
			continue;
		to = r->chain;
		if (to->mark == MOAT_GRAY)
			return -ELOOP;
		if (to->mark == MOAT_BLACK) {
			f->c->height = max(f->c->height,
					   to->height + (r->kind == MOAT_T_JUMP));
			continue;
		}
		to->mark = MOAT_GRAY;
		stack[sp++] = (struct moat_frame){ to, moat_rules_of(to, changed, next), 0 };
	}
	return 0;
}

/* Would @next, as the rules of @changed, leave the table loop-free? */
static int moat_check_graph(struct moat_table *t, struct moat_chain *changed,
			    const struct moat_rules *next,
			    struct netlink_ext_ack *extack)
{
	struct moat_frame *stack;
	struct moat_chain *c;
	int hook, err = 0;

	stack = kvmalloc_array(t->n_chains, sizeof(*stack), GFP_KERNEL);
	if (!stack)
		return -ENOMEM;
	list_for_each_entry(c, &t->chains, list) {
		c->mark = MOAT_WHITE;
		c->height = 0;
	}
	for (hook = 0; hook < NF_INET_NUMHOOKS && !err; hook++) {
		c = t->builtin[hook];
		if (!c)
			continue;
		err = moat_walk(c, changed, next, stack);
		if (err) {
			NL_SET_ERR_MSG(extack, "the rule would create a loop of chains");
		} else if (c->height > MOAT_MAX_DEPTH) {
			NL_SET_ERR_MSG(extack, "chains would nest deeper than 32 calls");
			err = -ELOOP;
		}
	}
	kvfree(stack);
	return err;
}

static bool moat_rule_jumps(const struct moat_rule *r)
{
	return r->kind == MOAT_T_JUMP || r->kind == MOAT_T_GOTO;
}

int moat_rule_insert(struct moat_table *t, struct moat_chain *c, u32 pos,
		     struct moat_rule *r, struct netlink_ext_ack *extack)
{
	struct moat_rules *old = c->rules, *next;
	int err;

	if (pos > old->n) {
		NL_SET_ERR_MSG(extack, "insert position past the end of the chain");
		return -E2BIG;
	}
	next = moat_rules_alloc(old->n + 1);
	if (!next)
		return -ENOMEM;
	memcpy(next->r, old->r, pos * sizeof(r));
	next->r[pos] = r;
	memcpy(next->r + pos + 1, old->r + pos, (old->n - pos) * sizeof(r));
	err = moat_rule_jumps(r) ? moat_check_graph(t, c, next, extack) : 0;
	if (!err)
		err = moat_commit(t, c, next);
	if (err) {
		kvfree(next);
		return err;
	}
	moat_rule_link(r);
	return 0;
}

int moat_rule_delete(struct moat_table *t, struct moat_chain *c, u32 pos,
		     struct netlink_ext_ack *extack)
{
	struct moat_rules *old = c->rules, *next;
	struct moat_rule *r;
	int err;

	if (pos >= old->n) {
		NL_SET_ERR_MSG(extack, "no rule at that position");
		return -E2BIG;
	}
	r = old->r[pos];
	next = moat_rules_alloc(old->n - 1);
	if (!next)
		return -ENOMEM;
	memcpy(next->r, old->r, pos * sizeof(r));
	memcpy(next->r + pos, old->r + pos + 1, (old->n - pos - 1) * sizeof(r));
	err = moat_commit(t, c, next);
	if (err) {
		kvfree(next);
		return err;
	}
	moat_rule_retire(r);
	return 0;
}

int moat_rule_replace(struct moat_table *t, struct moat_chain *c, u32 pos,
		      struct moat_rule *r, struct netlink_ext_ack *extack)
{
	struct moat_rules *old = c->rules, *next;
	struct moat_rule *prev;
	int err;

	if (pos >= old->n) {
		NL_SET_ERR_MSG(extack, "no rule at that position");
		return -E2BIG;
	}
	prev = old->r[pos];
	next = moat_rules_alloc(old->n);
	if (!next)
		return -ENOMEM;
	memcpy(next->r, old->r, old->n * sizeof(r));
	next->r[pos] = r;
	err = moat_rule_jumps(r) ? moat_check_graph(t, c, next, extack) : 0;
	if (!err)
		err = moat_commit(t, c, next);
	if (err) {
		kvfree(next);
		return err;
	}
	moat_rule_link(r);
	moat_rule_retire(prev);
	return 0;
}

/* The 0-based position of the first rule equal to @r, or -ESRCH. */
int moat_rule_find(const struct moat_chain *c, const struct moat_rule *r)
{
	u32 i;

	for (i = 0; i < c->rules->n; i++)
		if (moat_rule_equal(c->rules->r[i], r))
			return i;
	return -ESRCH;
}

int moat_chain_flush(struct moat_table *t, struct moat_chain *c)
{
	struct moat_rules *old = c->rules, *next;
	int err;
	u32 i;

	if (!old->n)
		return 0;
	next = moat_rules_alloc(0);
	if (!next)
		return -ENOMEM;
	err = moat_commit(t, c, next);
	if (err) {
		kvfree(next);
		return err;
	}
	/* @old itself is freed by moat_commit after the grace period. */
	for (i = 0; i < old->n; i++)
		moat_rule_retire(old->r[i]);
	return 0;
}

/* Empties every chain of @t in one view: all or nothing. */
int moat_table_flush(struct moat_table *t)
{
	struct moat_rules **next, *old;
	struct moat_chain *c;
	struct moat_view *v;
	u32 i, n = 0;
	int err = -ENOMEM;

	next = kcalloc(t->n_chains, sizeof(*next), GFP_KERNEL);
	v = moat_view_alloc(t->n_slots);
	if (!next || !v)
		goto out;
	for (n = 0; n < t->n_chains; n++) {
		next[n] = moat_rules_alloc(0);
		if (!next[n])
			goto out;
	}
	n = 0;
	list_for_each_entry(c, &t->chains, list) {
		old = c->rules;
		c->rules = next[n];
		next[n++] = old;
	}
	moat_publish(t, v);
	v = NULL;
	for (n = 0; n < t->n_chains; n++) {
		for (i = 0; i < next[n]->n; i++)
			moat_rule_retire(next[n]->r[i]);
		call_rcu(&next[n]->rcu, moat_rules_free_rcu);
	}
	n = 0;
	err = 0;
out:
	while (n--)
		kvfree(next[n]);
	kfree(next);
	kvfree(v);
	return err;
}

/* Zeroes rule @pos (1-based), or with @pos 0 every rule and the policy. */
void moat_chain_zero(struct moat_chain *c, u32 pos)
{
	static const struct moat_counter zero;
	u32 i;

	if (pos) {
		moat_counters_set(&c->rules->r[pos - 1]->cnt, &zero);
		return;
	}
	for (i = 0; i < c->rules->n; i++)
		moat_counters_set(&c->rules->r[i]->cnt, &zero);
	if (c->hook >= 0)
		moat_counters_set(&c->policy_cnt, &zero);
}

/* The packet path reads the policy through the chain, as one byte. */
void moat_chain_set_policy(struct moat_table *t, struct moat_chain *c,
			   u8 policy, const struct moat_counter *cnt)
{
	WRITE_ONCE(c->policy, policy);
	if (cnt)
		moat_counters_set(&c->policy_cnt, cnt);
	t->generation++;
}

struct moat_chain *moat_chain_find(struct moat_table *t, const char *name)
{
	struct moat_chain *c;

	list_for_each_entry(c, &t->chains, list)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void moat_chain_free_rcu(struct rcu_head *head)
{
	struct moat_chain *c = container_of(head, struct moat_chain, rcu);

	moat_counters_free(&c->policy_cnt);
	kvfree(c->rules);
	kfree(c);
}

static struct moat_chain *moat_chain_alloc(const char *name, int hook)
{
	struct moat_chain *c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);

	if (!c)
		return NULL;
	strscpy(c->name, name, sizeof(c->name));
	c->hook = hook;
	c->policy = MOAT_VERDICT_ACCEPT;
	c->rules = moat_rules_alloc(0);
	if (!c->rules || moat_counters_init(&c->policy_cnt)) {
		kvfree(c->rules);
		kfree(c);
		return NULL;
	}
	return c;
}

/* Links @c into @t and publishes a view that has a slot for it. */
static int moat_chain_add(struct moat_table *t, struct moat_chain *c)
{
	struct moat_view *v;
	u32 n_slots;
	int slot;

	/* The lowest free slot keeps views as small as the chain count. */
	slot = ida_alloc(&t->slots, GFP_KERNEL);
	if (slot < 0)
		return slot;
	n_slots = max_t(u32, t->n_slots, slot + 1);
	v = moat_view_alloc(n_slots);
	if (!v) {
		ida_free(&t->slots, slot);
		return -ENOMEM;
	}
	c->slot = slot;
	t->n_slots = n_slots;
	list_add_tail(&c->list, &t->chains);
	t->n_chains++;
	moat_publish(t, v);
	return 0;
}

int moat_chain_new(struct moat_table *t, const char *name,
		   struct netlink_ext_ack *extack)
{
	struct moat_chain *c;
	int err;

	if (moat_chain_find(t, name)) {
		NL_SET_ERR_MSG(extack, "a chain of that name exists");
		return -EEXIST;
	}
	c = moat_chain_alloc(name, -1);
	if (!c)
		return -ENOMEM;
	err = moat_chain_add(t, c);
	if (err) {
		moat_chain_free_rcu(&c->rcu);
		return err;
	}
	return 0;
}

static int moat_chain_deletable(struct moat_chain *c,
				struct netlink_ext_ack *extack)
{
	if (c->hook >= 0) {
		NL_SET_ERR_MSG(extack, "built-in chains cannot be deleted");
		return -EINVAL;
	}
	if (c->refs) {
		NL_SET_ERR_MSG(extack, "chain is still referenced");
		return -EMLINK;
	}
	if (c->rules->n) {
		NL_SET_ERR_MSG(extack, "chain is not empty");
		return -ENOTEMPTY;
	}
	return 0;
}

/* Older views keep their own copy of the slot until they are freed. */
static void moat_chain_unlink(struct moat_table *t, struct moat_chain *c)
{
	list_del(&c->list);
	ida_free(&t->slots, c->slot);
	t->n_chains--;
	call_rcu(&c->rcu, moat_chain_free_rcu);
}

/* Deletes @name, or with @name NULL every user chain, all or nothing. */
int moat_chain_del(struct moat_table *t, const char *name,
		   struct netlink_ext_ack *extack)
{
	struct moat_chain *c, *tmp;
	struct moat_view *v;
	int err;

	if (name) {
		c = moat_chain_find(t, name);
		if (!c) {
			NL_SET_ERR_MSG(extack, "no chain of that name");
			return -ENOENT;
		}
		err = moat_chain_deletable(c, extack);
		if (err)
			return err;
	} else {
		list_for_each_entry(c, &t->chains, list) {
			err = c->hook < 0 ? moat_chain_deletable(c, extack) : 0;
			if (err)
				return err;
		}
	}
	v = moat_view_alloc(t->n_slots);
	if (!v)
		return -ENOMEM;
	list_for_each_entry_safe(c, tmp, &t->chains, list)
		if (c->hook < 0 && (!name || !strcmp(c->name, name)))
			moat_chain_unlink(t, c);
	moat_publish(t, v);
	return 0;
}

int moat_chain_rename(struct moat_table *t, const char *name,
		      const char *newname, struct netlink_ext_ack *extack)
{
	struct moat_chain *c = moat_chain_find(t, name);

	if (!c) {
		NL_SET_ERR_MSG(extack, "no chain of that name");
		return -ENOENT;
	}
	if (c->hook >= 0) {
		NL_SET_ERR_MSG(extack, "built-in chains cannot be renamed");
		return -ENOENT;
	}
	if (moat_chain_find(t, newname)) {
		NL_SET_ERR_MSG(extack, "a chain of that name exists");
		return -EEXIST;
	}
	strscpy(c->name, newname, sizeof(c->name));
	t->generation++;
	return 0;
}

static int moat_table_hooks_register(struct moat_table *t)
{
	unsigned int hook, n = 0;
	int err;

	t->ops = kcalloc(hweight32(t->def->hooks), sizeof(*t->ops), GFP_KERNEL);
	if (!t->ops)
		return -ENOMEM;
	for (hook = 0; hook < NF_INET_NUMHOOKS; hook++) {
		if (!(t->def->hooks & BIT(hook)))
			continue;
		t->ops[n] = (struct nf_hook_ops){
			.hook = moat_hook,
			.priv = t,
			.pf = NFPROTO_IPV4,
			.hooknum = hook,
			.priority = t->def->priority,
		};
		n++;
	}
	t->n_ops = n;
	err = nf_register_net_hooks(t->net, t->ops, n);
	if (err) {
		kfree(t->ops);
		t->ops = NULL;
	}
	return err;
}

static void moat_table_free_chains(struct moat_table *t)
{
	struct moat_chain *c, *tmp;
	u32 i;

	list_for_each_entry_safe(c, tmp, &t->chains, list) {
		for (i = 0; i < c->rules->n; i++)
			moat_rule_free(c->rules->r[i]);
		list_del(&c->list);
		moat_chain_free_rcu(&c->rcu);
	}
}

/* Frees @t; its hooks are gone, so no packet can be inside it. */
void moat_table_destroy(struct moat_table *t)
{
	if (t->ops) {
		nf_unregister_net_hooks(t->net, t->ops, t->n_ops);
		kfree(t->ops);
	}
	moat_table_free_chains(t);
	ida_destroy(&t->slots);
	kvfree(rcu_dereference_protected(t->view, true));
	kfree(t);
}

static struct moat_table *moat_table_create(struct net *net,
					    const struct moat_table_def *def)
{
	struct moat_table *t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	struct moat_chain *c;
	int hook;

	if (!t)
		return NULL;
	t->def = def;
	t->net = net;
	INIT_LIST_HEAD(&t->chains);
	ida_init(&t->slots);
	for (hook = 0; hook < NF_INET_NUMHOOKS; hook++) {
		if (!(def->hooks & BIT(hook)))
			continue;
		c = moat_chain_alloc(moat_hook_names[hook], hook);
		if (!c || moat_chain_add(t, c)) {
			if (c)
				moat_chain_free_rcu(&c->rcu);
			goto err_free;
		}
		t->builtin[hook] = c;
	}
	if (moat_table_hooks_register(t))
		goto err_free;
	return t;

err_free:
	moat_table_destroy(t);
	return NULL;
}

/* The table @name of this namespace, created on first use. */
struct moat_table *moat_table_get(struct moat_net *mn, const char *name,
				  struct netlink_ext_ack *extack)
{
	int i;

	for (i = 0; i < MOAT_MAX_TABLES; i++) {
		if (strcmp(moat_table_defs[i].name, name))
			continue;
		if (!mn->tables[i])
			mn->tables[i] = moat_table_create(mn->net,
							  &moat_table_defs[i]);
		if (!mn->tables[i])
			NL_SET_ERR_MSG(extack, "out of memory creating the table");
		return mn->tables[i] ?: ERR_PTR(-ENOMEM);
	}
	NL_SET_ERR_MSG(extack, "no table of that name");
	return ERR_PTR(-ENOENT);
}
