// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the packet path.  Runs under the RCU read lock netfilter holds for
 * its hooks: no allocation, no lock, no sleep; work bounded by the rules
 * and by MOAT_MAX_DEPTH, which every change is checked against.
 */
#include <net/ip.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netdevice.h>
#include "moat.h"

/* Where to resume in a calling chain after a RETURN. */
struct moat_return {
	u32 slot;
	u32 i;
};

static bool moat_iface_ok(const struct net_device *dev, const char *name,
			  u8 len)
{
	static const char none[IFNAMSIZ];

	/* No device (-i on OUTPUT): only a wildcard "+" matches. */
	return !memcmp(dev ? dev->name : none, name, len);
}

#define MOAT_INV(r, bit, cond) (!!(cond) ^ !!((r)->inv & (bit)))

static bool moat_ifaces_match(const struct moat_rule *r,
			      const struct nf_hook_state *st)
{
	const struct moat_ifaces *ifs = moat_rule_ifaces(r);

	if (ifs->iif[0] &&
	    MOAT_INV(r, MOAT_INV_IIF, !moat_iface_ok(st->in, ifs->iif, ifs->iif_len)))
		return false;
	if (ifs->oif[0] &&
	    MOAT_INV(r, MOAT_INV_OIF, !moat_iface_ok(st->out, ifs->oif, ifs->oif_len)))
		return false;
	return true;
}

static bool moat_core_match(const struct moat_rule *r, const struct iphdr *iph,
			    const struct moat_pkt *pkt)
{
	if (MOAT_INV(r, MOAT_INV_SRC, (iph->saddr & r->smsk) != r->src) ||
	    MOAT_INV(r, MOAT_INV_DST, (iph->daddr & r->dmsk) != r->dst))
		return false;
	if (r->ifaces_len && !moat_ifaces_match(r, pkt->state))
		return false;
	if (r->proto && MOAT_INV(r, MOAT_INV_PROTO, iph->protocol != r->proto))
		return false;
	if ((r->flags & MOAT_RULE_F_FRAG) &&
	    MOAT_INV(r, MOAT_INV_FRAG, !pkt->fragoff))
		return false;
	return true;
}

static bool moat_rule_match(const struct moat_rule *r, const struct sk_buff *skb,
			    const struct iphdr *iph, struct moat_pkt *pkt)
{
	const struct moat_match *m;

	if (!moat_core_match(r, iph, pkt))
		return false;
	moat_for_each_match(m, r)
		if (!m->type->match(skb, m->priv, pkt))
			return false;
	return true;
}

static unsigned int moat_policy(const struct moat_view *v,
				struct moat_chain *base, struct sk_buff *skb)
{
	moat_counters_add(&base->policy_cnt, skb->len);
	return v->policy[base->hook] == MOAT_VERDICT_DROP ? NF_DROP : NF_ACCEPT;
}

unsigned int moat_hook(void *priv, struct sk_buff *skb,
		       const struct nf_hook_state *state)
{
	const struct moat_table *t = priv;
	struct moat_chain *base = t->builtin[state->hook];
	const struct moat_view *v = rcu_dereference(t->view);
	/* Read only below sp: not worth the zeroing the kernel's
	 * INIT_STACK_ALL_ZERO would give every packet. */
	struct moat_return stack[MOAT_MAX_DEPTH] __uninitialized;
	const struct iphdr *iph = ip_hdr(skb);
	struct moat_pkt pkt = { .state = state };
	struct moat_cursor cur = MOAT_CURSOR_INIT;
	const struct moat_rules *rules;
	const struct moat_rule *r;
	unsigned int sp = 0, verdict;
	u32 slot = base->slot, i = 0;

	pkt.fragoff = ntohs(iph->frag_off) & IP_OFFSET;
	pkt.thoff = skb_network_offset(skb) + ip_hdrlen(skb);
	rules = v->rules[slot];
	for (;;) {
		i = moat_classify_next(rules, &pkt, skb, i);
		if (i == rules->n) {
			/* The end of a called chain returns; of the base, policy. */
			if (!sp)
				return moat_policy(v, base, skb);
			sp--;
			slot = stack[sp].slot;
			i = stack[sp].i;
			rules = v->rules[slot];
			cur = MOAT_CURSOR_INIT;
			continue;
		}
		r = moat_rules_get(rules, &cur, i++);
		if (!moat_rule_match(r, skb, iph, &pkt)) {
			if (pkt.hotdrop)
				return NF_DROP;
			continue;
		}
		moat_counters_add(&r->cnt, skb->len);
		switch (r->kind) {
		case MOAT_T_NONE:
			continue;
		case MOAT_T_ACCEPT:
			return NF_ACCEPT;
		case MOAT_T_DROP:
			return NF_DROP;
		case MOAT_T_RETURN:
			i = rules->n;	/* as if the chain ended here */
			continue;
		case MOAT_T_EXT:
			verdict = r->ttype->target(skb, moat_rule_tdata(r), &pkt);
			if (verdict != MOAT_CONTINUE)
				return verdict;
			continue;
		case MOAT_T_JUMP:
			/* Checked on every change; a packet must not crash. */
			if (unlikely(sp == MOAT_MAX_DEPTH))
				return NF_DROP;
			stack[sp++] = (struct moat_return){ slot, i };
			fallthrough;
		case MOAT_T_GOTO:
			slot = r->chain->slot;
			rules = v->rules[slot];
			cur = MOAT_CURSOR_INIT;
			i = 0;
		}
	}
}

/*
 * mangle's OUTPUT: a locally made packet was routed before the hook, so
 * if the chains changed what routing looks at (addresses, mark, TOS), it
 * is routed again, as iptables' mangle table does.
 */
unsigned int moat_hook_reroute(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	__be32 saddr = iph->saddr, daddr = iph->daddr;
	u32 mark = skb->mark;
	u8 tos = iph->tos;
	unsigned int verdict;
	int err;

	verdict = moat_hook(priv, skb, state);
	if (verdict == NF_DROP || verdict == NF_STOLEN)
		return verdict;
	iph = ip_hdr(skb);
	if (iph->saddr == saddr && iph->daddr == daddr &&
	    skb->mark == mark && iph->tos == tos)
		return verdict;
	err = ip_route_me_harder(state->net, state->sk, skb, RTN_UNSPEC);
	return err < 0 ? NF_DROP_ERR(err) : verdict;
}
