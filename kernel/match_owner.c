// SPDX-License-Identifier: GPL-2.0
/* moat: the "owner" match: who owns the socket a packet leaves from. */
#include <linux/cred.h>
#include <linux/file.h>
#include <net/genetlink.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include "moat.h"

struct moat_owner {
	u32 uid[2], gid[2];	/* ranges as given, in the rule's userns */
	u8 match, invert;	/* MOAT_OWNER_* */
	/* Not compared: resolved by check in the namespace's userns. */
	kuid_t kuid[2];
	kgid_t kgid[2];
};

static const struct nla_policy moat_owner_policy[MOAT_A_OWNER_MAX + 1] = {
	[MOAT_A_OWNER_UID_MIN] = { .type = NLA_U32 },
	[MOAT_A_OWNER_UID_MAX] = { .type = NLA_U32 },
	[MOAT_A_OWNER_GID_MIN] = { .type = NLA_U32 },
	[MOAT_A_OWNER_GID_MAX] = { .type = NLA_U32 },
	[MOAT_A_OWNER_MATCH] = NLA_POLICY_MASK(NLA_U8, 0x0f),
	[MOAT_A_OWNER_INVERT] = NLA_POLICY_MASK(NLA_U8, 0x0f),
};

static u32 moat_u32(const struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static int moat_owner_parse(void *priv, struct nlattr **tb,
			    struct netlink_ext_ack *extack)
{
	struct moat_owner *o = priv;

	o->uid[0] = moat_u32(tb[MOAT_A_OWNER_UID_MIN]);
	o->uid[1] = moat_u32(tb[MOAT_A_OWNER_UID_MAX]);
	o->gid[0] = moat_u32(tb[MOAT_A_OWNER_GID_MIN]);
	o->gid[1] = moat_u32(tb[MOAT_A_OWNER_GID_MAX]);
	o->match = tb[MOAT_A_OWNER_MATCH] ? nla_get_u8(tb[MOAT_A_OWNER_MATCH]) : 0;
	o->invert = tb[MOAT_A_OWNER_INVERT] ? nla_get_u8(tb[MOAT_A_OWNER_INVERT]) : 0;
	if (!o->match || (o->invert & ~o->match) ||
	    o->uid[0] > o->uid[1] || o->gid[0] > o->gid[1] ||
	    ((o->match & MOAT_OWNER_SUPPL_GROUPS) && !(o->match & MOAT_OWNER_GID))) {
		NL_SET_ERR_MSG(extack, "bad owner match flags");
		return -EINVAL;
	}
	return 0;
}

/* Ids mean what they mean in the user namespace owning the netns. */
static int moat_owner_check(struct net *net, void *priv,
			    const struct moat_rule *r,
			    struct netlink_ext_ack *extack)
{
	struct moat_owner *o = priv;
	int i;

	for (i = 0; i < 2; i++) {
		o->kuid[i] = make_kuid(net->user_ns, o->uid[i]);
		o->kgid[i] = make_kgid(net->user_ns, o->gid[i]);
		if (((o->match & MOAT_OWNER_UID) && !uid_valid(o->kuid[i])) ||
		    ((o->match & MOAT_OWNER_GID) && !gid_valid(o->kgid[i]))) {
			NL_SET_ERR_MSG(extack, "owner id not mapped in this namespace");
			return -EINVAL;
		}
	}
	return 0;
}

static bool moat_gid_in(kgid_t gid, const kgid_t range[2])
{
	return gid_gte(gid, range[0]) && gid_lte(gid, range[1]);
}

static bool moat_owner_gid_ok(const struct moat_owner *o, const struct cred *cred)
{
	const struct group_info *gi = cred->group_info;
	int i;

	if (moat_gid_in(cred->fsgid, o->kgid))
		return true;
	if (!(o->match & MOAT_OWNER_SUPPL_GROUPS) || !gi)
		return false;
	for (i = 0; i < gi->ngroups; i++)
		if (moat_gid_in(gi->gid[i], o->kgid))
			return true;
	return false;
}

/* Whether the owner of @filp passes the uid and gid tests. */
static bool moat_owner_file_ok(const struct moat_owner *o, const struct file *filp)
{
	const struct cred *cred = filp->f_cred;
	bool in;

	if (o->match & MOAT_OWNER_UID) {
		in = uid_gte(cred->fsuid, o->kuid[0]) && uid_lte(cred->fsuid, o->kuid[1]);
		if (in ^ !(o->invert & MOAT_OWNER_UID))
			return false;
	}
	if ((o->match & MOAT_OWNER_GID) &&
	    (moat_owner_gid_ok(o, cred) ^ !(o->invert & MOAT_OWNER_GID)))
		return false;
	return true;
}

static bool moat_owner_match(const struct sk_buff *skb, const void *priv,
			     struct moat_pkt *pkt)
{
	const struct moat_owner *o = priv;
	struct sock *sk = skb_to_full_sk(skb);
	const struct file *filp;
	bool ok;

	/* No socket here: only negated tests can hold. */
	if (!sk || !sk->sk_socket || !net_eq(pkt->state->net, sock_net(sk)))
		return (o->match ^ o->invert) == 0;
	if (o->match & o->invert & MOAT_OWNER_SOCKET)
		return false;
	/* The socket's own reader lock, as xt_owner: the file may be going. */
	read_lock_bh(&sk->sk_callback_lock);
	filp = sk->sk_socket ? sk->sk_socket->file : NULL;
	ok = filp ? moat_owner_file_ok(o, filp) :
		    ((o->match ^ o->invert) & (MOAT_OWNER_UID | MOAT_OWNER_GID)) == 0;
	read_unlock_bh(&sk->sk_callback_lock);
	return ok;
}

static int moat_owner_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_owner *o = priv;

	if (nla_put_u32(skb, MOAT_A_OWNER_UID_MIN, o->uid[0]) ||
	    nla_put_u32(skb, MOAT_A_OWNER_UID_MAX, o->uid[1]) ||
	    nla_put_u32(skb, MOAT_A_OWNER_GID_MIN, o->gid[0]) ||
	    nla_put_u32(skb, MOAT_A_OWNER_GID_MAX, o->gid[1]) ||
	    nla_put_u8(skb, MOAT_A_OWNER_MATCH, o->match) ||
	    nla_put_u8(skb, MOAT_A_OWNER_INVERT, o->invert))
		return -EMSGSIZE;
	return 0;
}

const struct moat_match_type moat_match_owner = {
	.name = "owner",
	.policy = moat_owner_policy,
	.maxattr = MOAT_A_OWNER_MAX,
	.size = sizeof(struct moat_owner),
	.cmp_size = offsetof(struct moat_owner, kuid),
	.hooks = BIT(NF_INET_LOCAL_OUT) | BIT(NF_INET_POST_ROUTING),
	.parse = moat_owner_parse,
	.check = moat_owner_check,
	.match = moat_owner_match,
	.dump = moat_owner_dump,
};
