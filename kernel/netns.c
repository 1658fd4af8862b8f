// SPDX-License-Identifier: GPL-2.0
/* moat: per network namespace state, created and freed with the namespace. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/netns/generic.h>
#include <net/netfilter/nf_conntrack.h>
#include "moat.h"

static unsigned int moat_net_id __read_mostly;

struct moat_net *moat_pernet(struct net *net)
{
	return net_generic(net, moat_net_id);
}

/*
 * nf_ct_netns_put takes a mutex, but rules are freed from RCU callbacks:
 * their conntrack references are counted here and given back by a work
 * item of the namespace.
 */
void moat_ct_put_later(struct net *net)
{
	struct moat_net *mn = moat_pernet(net);

	atomic_inc(&mn->ct_puts);
	schedule_work(&mn->ct_work);
}

static void moat_ct_work(struct work_struct *work)
{
	struct moat_net *mn = container_of(work, struct moat_net, ct_work);

	while (atomic_add_unless(&mn->ct_puts, -1, 0))
		nf_ct_netns_put(mn->net, NFPROTO_IPV4);
}

static int __net_init moat_net_init(struct net *net)
{
	struct moat_net *mn = moat_pernet(net);

	mutex_init(&mn->lock);
	INIT_WORK(&mn->ct_work, moat_ct_work);
	moat_classify_init(mn);
	mn->net = net;
	return 0;
}

static void __net_exit moat_net_exit(struct net *net)
{
	struct moat_net *mn = moat_pernet(net);
	int i;

	/* It walks the tables; no request can queue it again. */
	cancel_work_sync(&mn->classify_work);
	/* No request can reach a dying namespace: no lock needed. */
	for (i = 0; i < MOAT_MAX_TABLES; i++)
		if (mn->tables[i])
			moat_table_destroy(mn->tables[i]);
	/* Rules retired before: their grace period, then their frees. */
	rcu_barrier();
	flush_workqueue(moat_wq);
	flush_work(&mn->ct_work);
	mutex_destroy(&mn->lock);
}

static struct pernet_operations moat_net_ops = {
	.init = moat_net_init,
	.exit = moat_net_exit,
	.id = &moat_net_id,
	.size = sizeof(struct moat_net),
};

int moat_netns_init(void)
{
	return register_pernet_subsys(&moat_net_ops);
}

void moat_netns_exit(void)
{
	unregister_pernet_subsys(&moat_net_ops);
	/* Rules and views retired by call_rcu must be freed before unload. */
	rcu_barrier();
	flush_workqueue(moat_wq);
}
