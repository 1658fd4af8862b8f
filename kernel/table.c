// SPDX-License-Identifier: GPL-2.0
/*
 * moat: tables, their chains, and the view the packet path reads.  Every
 * function here runs under the namespace's lock.  Changes are staged in
 * txn.c and published here in one pointer swap (moat_publish); what they
 * replaced is freed after an RCU grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/netfilter_ipv4.h>
#include <net/netfilter/nf_nat.h>
#include "moat.h"

#define PRE	BIT(NF_INET_PRE_ROUTING)
#define IN	BIT(NF_INET_LOCAL_IN)
#define FWD	BIT(NF_INET_FORWARD)
#define OUT	BIT(NF_INET_LOCAL_OUT)
#define POST	BIT(NF_INET_POST_ROUTING)

/* iptables' tables, with its hook priorities, so both order the same. */
const struct moat_table_def moat_table_defs[MOAT_MAX_TABLES] = {
	{
		.name = "filter",
		.hooks = IN | FWD | OUT,
		.priority = {
			[NF_INET_LOCAL_IN] = NF_IP_PRI_FILTER,
			[NF_INET_FORWARD] = NF_IP_PRI_FILTER,
			[NF_INET_LOCAL_OUT] = NF_IP_PRI_FILTER,
		},
	},
	{
		.name = "nat",
		.hooks = PRE | IN | OUT | POST,
		.priority = {
			[NF_INET_PRE_ROUTING] = NF_IP_PRI_NAT_DST,
			[NF_INET_LOCAL_IN] = NF_IP_PRI_NAT_SRC,
			[NF_INET_LOCAL_OUT] = NF_IP_PRI_NAT_DST,
			[NF_INET_POST_ROUTING] = NF_IP_PRI_NAT_SRC,
		},
		.nat = true,
	},
	{
		.name = "mangle",
		.hooks = PRE | IN | FWD | OUT | POST,
		.priority = {
			[NF_INET_PRE_ROUTING] = NF_IP_PRI_MANGLE,
			[NF_INET_LOCAL_IN] = NF_IP_PRI_MANGLE,
			[NF_INET_FORWARD] = NF_IP_PRI_MANGLE,
			[NF_INET_LOCAL_OUT] = NF_IP_PRI_MANGLE,
			[NF_INET_POST_ROUTING] = NF_IP_PRI_MANGLE,
		},
		.reroute = true,
	},
	{
		.name = "raw",
		.hooks = PRE | OUT,
		.priority = {
			[NF_INET_PRE_ROUTING] = NF_IP_PRI_RAW,
			[NF_INET_LOCAL_OUT] = NF_IP_PRI_RAW,
		},
	},
};

static const char *const moat_hook_names[NF_INET_NUMHOOKS] = {
	[NF_INET_PRE_ROUTING] = "PREROUTING",
	[NF_INET_LOCAL_IN] = "INPUT",
	[NF_INET_FORWARD] = "FORWARD",
	[NF_INET_LOCAL_OUT] = "OUTPUT",
	[NF_INET_POST_ROUTING] = "POSTROUTING",
};

static void moat_view_free_rcu(struct rcu_head *head)
{
	kvfree(container_of(head, struct moat_view, rcu));
}

struct moat_view *moat_view_alloc(struct moat_table *t)
{
	struct moat_view *v;

	v = kvzalloc(struct_size(v, rules, t->n_slots), GFP_KERNEL_ACCOUNT);
	if (v)
		v->n_slots = t->n_slots;
	return v;
}

/* Publishes every chain's current rules and policy as view @v. */
void moat_view_install(struct moat_table *t, struct moat_view *v)
{
	struct moat_view *old = rcu_dereference_protected(t->view, true);
	struct moat_chain *c;

	list_for_each_entry(c, &t->chains, list) {
		v->rules[c->slot] = c->rules;
		if (c->hook >= 0)
			v->policy[c->hook] = c->policy;
	}
	rcu_assign_pointer(t->view, v);
	t->generation++;
	if (old)
		call_rcu(&old->rcu, moat_view_free_rcu);
}

/* Zeroes rule @pos (1-based), or with @pos 0 every rule and the policy. */
void moat_chain_zero(struct moat_chain *c, u32 pos)
{
	static const struct moat_counter zero;
	struct moat_cursor cur;
	struct moat_rule *r;
	u32 i;

	if (pos) {
		moat_counters_set(&moat_rules_at(c->rules, pos - 1)->cnt, &zero);
		return;
	}
	moat_rules_for_each(c->rules, cur, i, r)
		moat_counters_set(&r->cnt, &zero);
	if (c->hook >= 0)
		moat_counters_set(&c->policy_cnt, &zero);
}

struct moat_chain *moat_chain_find(struct moat_table *t, const char *name)
{
	struct moat_chain *c;

	list_for_each_entry(c, &t->chains, list)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* Frees a chain no packet can see: never published, or after a grace. */
void moat_chain_free(struct moat_chain *c)
{
	moat_counters_free(&c->policy_cnt);
	moat_rules_free(c->rules);
	kfree(c);
}

static void moat_chain_free_rcu(struct rcu_head *head)
{
	moat_chain_free(container_of(head, struct moat_chain, rcu));
}

/* Frees @c, unlinked and empty, once older views are gone. */
void moat_chain_retire(struct moat_chain *c)
{
	call_rcu(&c->rcu, moat_chain_free_rcu);
}

struct moat_chain *moat_chain_alloc(const char *name, int hook)
{
	struct moat_chain *c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);

	if (!c)
		return NULL;
	strscpy(c->name, name, sizeof(c->name));
	c->hook = hook;
	c->policy = MOAT_VERDICT_ACCEPT;
	c->slot = -1;
	c->rules = moat_rules_alloc(0);
	if (!c->rules || moat_counters_init(&c->policy_cnt)) {
		kvfree(c->rules);
		kfree(c);
		return NULL;
	}
	return c;
}

static void moat_table_hooks_unregister(struct moat_table *t, unsigned int n)
{
	unsigned int i;

	if (!t->def->nat) {
		nf_unregister_net_hooks(t->net, t->ops, n);
		return;
	}
	for (i = 0; i < n; i++)
		nf_nat_ipv4_unregister_fn(t->net, &t->ops[i]);
}

/*
 * A nat table's chains are not netfilter hooks of their own: the NAT core
 * calls them for a connection's first packet, then applies the binding
 * they set up (or a null one) to every packet of the connection.
 */
static int moat_table_hooks_attach(struct moat_table *t)
{
	unsigned int i;
	int err;

	if (!t->def->nat)
		return nf_register_net_hooks(t->net, t->ops, t->n_ops);
	for (i = 0; i < t->n_ops; i++) {
		err = nf_nat_ipv4_register_fn(t->net, &t->ops[i]);
		if (err) {
			moat_table_hooks_unregister(t, i);
			return err;
		}
	}
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
		t->ops[n++] = (struct nf_hook_ops){
			.hook = t->def->reroute && hook == NF_INET_LOCAL_OUT ?
				moat_hook_reroute : moat_hook,
			.priv = t,
			.pf = NFPROTO_IPV4,
			.hooknum = hook,
			.priority = t->def->priority[hook],
		};
	}
	t->n_ops = n;
	err = moat_table_hooks_attach(t);
	if (err) {
		kfree(t->ops);
		t->ops = NULL;
	}
	return err;
}

static void moat_table_free_chains(struct moat_table *t)
{
	struct moat_chain *c, *tmp;
	struct moat_cursor cur;
	struct moat_rule *r;
	u32 i;

	list_for_each_entry_safe(c, tmp, &t->chains, list) {
		moat_rules_for_each(c->rules, cur, i, r)
			moat_rule_free(r);
		list_del(&c->list);
		moat_chain_free(c);
	}
}

/* Frees @t; its hooks are gone, so no packet can be inside it. */
void moat_table_destroy(struct moat_table *t)
{
	if (t->txn)
		moat_txn_abort(t->txn);
	if (t->ops) {
		moat_table_hooks_unregister(t, t->n_ops);
		kfree(t->ops);
	}
	moat_table_free_chains(t);
	ida_destroy(&t->slots);
	kvfree(rcu_dereference_protected(t->view, true));
	kfree(t);
}

static int moat_table_add_builtin(struct moat_table *t, int hook)
{
	struct moat_chain *c = moat_chain_alloc(moat_hook_names[hook], hook);

	if (!c)
		return -ENOMEM;
	c->slot = ida_alloc(&t->slots, GFP_KERNEL);
	if ((int)c->slot < 0) {
		moat_chain_free(c);
		return -ENOMEM;
	}
	t->n_slots = max(t->n_slots, c->slot + 1);
	list_add_tail(&c->list, &t->chains);
	t->n_chains++;
	t->builtin[hook] = c;
	return 0;
}

static struct moat_table *moat_table_create(struct net *net,
					    const struct moat_table_def *def)
{
	struct moat_table *t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	struct moat_view *v;
	int hook;

	if (!t)
		return NULL;
	t->def = def;
	t->net = net;
	INIT_LIST_HEAD(&t->chains);
	ida_init(&t->slots);
	for (hook = 0; hook < NF_INET_NUMHOOKS; hook++)
		if ((def->hooks & BIT(hook)) && moat_table_add_builtin(t, hook))
			goto err_free;
	/* The packet path needs a view before the hooks go live. */
	v = moat_view_alloc(t);
	if (!v)
		goto err_free;
	moat_view_install(t, v);
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
		if (!mn->tables[i]) {
			mn->tables[i] = moat_table_create(mn->net,
							  &moat_table_defs[i]);
			if (mn->tables[i])
				mn->tables[i]->seq = mn->table_seq++;
		}
		if (!mn->tables[i])
			NL_SET_ERR_MSG(extack, "out of memory creating the table");
		return mn->tables[i] ?: ERR_PTR(-ENOMEM);
	}
	/* Distinct from -ENOENT, "no such chain", for the tool's messages. */
	NL_SET_ERR_MSG(extack, "no table of that name");
	return ERR_PTR(-ENXIO);
}
