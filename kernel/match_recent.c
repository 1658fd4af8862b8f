// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the "recent" match: named lists of addresses seen lately, one set
 * of lists per network namespace, as xt_recent.
 *
 * A list is shared by the rules naming it and freed with the last of them.
 * Each list has its own spinlock, taken by the packet path for a bounded
 * scan; its memory is allocated when the list is made (MOAT_RECENT_ENTRIES
 * addresses, the oldest evicted), so packets never allocate.  The registry
 * of lists is only touched when rules come and go.
 */
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/sock.h>
#include "moat.h"

/* xt_recent's defaults: ip_list_tot, and the most hits a rule may want. */
#define MOAT_RECENT_ENTRIES	100
#define MOAT_RECENT_MAX_HITS	255

#define MOAT_RECENT_F_ALL (MOAT_RECENT_F_RSOURCE | MOAT_RECENT_F_RDEST | \
			   MOAT_RECENT_F_RTTL | MOAT_RECENT_F_REAP)

struct moat_recent_entry {
	__be32 addr;
	u8 ttl;
	bool used;
	u16 index;		/* next slot in the stamp ring */
	u16 nstamps;		/* slots filled */
	unsigned long last;	/* the newest stamp */
};

struct moat_recent_list {
	struct list_head node;		/* in moat_recent_lists */
	u64 net_cookie;			/* whose: never reused, unlike a pointer */
	char name[MOAT_RECENT_NAME_LEN];
	unsigned int refs;		/* rules; under moat_recent_reg_lock */
	/* As xt_recent: the --mask of the rule that made the list, for all. */
	__be32 mask;
	spinlock_t lock;		/* the entries and stamps */
	unsigned int ring;		/* stamps per entry, a power of 2 */
	unsigned int n_used;
	struct moat_recent_entry e[MOAT_RECENT_ENTRIES];
	unsigned long *stamps;		/* ring stamps per entry */
};

static LIST_HEAD(moat_recent_lists);
static DEFINE_SPINLOCK(moat_recent_reg_lock);

struct moat_recent {
	char name[MOAT_RECENT_NAME_LEN];
	u32 seconds, hitcount;
	__be32 mask;
	u8 mode;			/* MOAT_RECENT_SET ... */
	u8 flags;			/* MOAT_RECENT_F_* */
	bool inv;
	struct moat_recent_list *list;
};

static const struct nla_policy moat_recent_policy[MOAT_A_RECENT_MAX + 1] = {
	[MOAT_A_RECENT_NAME] = { .type = NLA_NUL_STRING,
				 .len = MOAT_RECENT_NAME_LEN - 1 },
	[MOAT_A_RECENT_MODE] = NLA_POLICY_RANGE(NLA_U8, MOAT_RECENT_SET,
						MOAT_RECENT_REMOVE),
	[MOAT_A_RECENT_SECONDS] = { .type = NLA_U32 },
	[MOAT_A_RECENT_HITCOUNT] = { .type = NLA_U32 },
	[MOAT_A_RECENT_FLAGS] = NLA_POLICY_MASK(NLA_U8, MOAT_RECENT_F_ALL),
	[MOAT_A_RECENT_MASK] = { .type = NLA_BE32 },
	[MOAT_A_RECENT_INV] = { .type = NLA_FLAG },
};

static int moat_recent_parse(void *priv, struct nlattr **tb,
			     struct netlink_ext_ack *extack)
{
	struct moat_recent *rc = priv;

	if (!tb[MOAT_A_RECENT_MODE] || !tb[MOAT_A_RECENT_NAME] ||
	    !nla_len(tb[MOAT_A_RECENT_NAME]) ||
	    !*(char *)nla_data(tb[MOAT_A_RECENT_NAME])) {
		NL_SET_ERR_MSG(extack, "recent needs a mode and a list name");
		return -EINVAL;
	}
	nla_strscpy(rc->name, tb[MOAT_A_RECENT_NAME], sizeof(rc->name));
	rc->mode = nla_get_u8(tb[MOAT_A_RECENT_MODE]);
	rc->seconds = tb[MOAT_A_RECENT_SECONDS] ?
		      nla_get_u32(tb[MOAT_A_RECENT_SECONDS]) : 0;
	rc->hitcount = tb[MOAT_A_RECENT_HITCOUNT] ?
		       nla_get_u32(tb[MOAT_A_RECENT_HITCOUNT]) : 0;
	rc->flags = tb[MOAT_A_RECENT_FLAGS] ?
		    nla_get_u8(tb[MOAT_A_RECENT_FLAGS]) : MOAT_RECENT_F_RSOURCE;
	rc->mask = tb[MOAT_A_RECENT_MASK] ?
		   nla_get_be32(tb[MOAT_A_RECENT_MASK]) : htonl(0xffffffff);
	rc->inv = nla_get_flag(tb[MOAT_A_RECENT_INV]);
	if ((rc->mode == MOAT_RECENT_SET || rc->mode == MOAT_RECENT_REMOVE) &&
	    (rc->seconds || rc->hitcount ||
	     rc->flags & (MOAT_RECENT_F_RTTL | MOAT_RECENT_F_REAP))) {
		NL_SET_ERR_MSG(extack, "recent: --set and --remove take no --seconds, --hitcount, --rttl or --reap");
		return -EINVAL;
	}
	/* Saved as one of --rsource and --rdest, so exactly one. */
	if (hweight8(rc->flags & (MOAT_RECENT_F_RSOURCE | MOAT_RECENT_F_RDEST)) != 1) {
		NL_SET_ERR_MSG(extack, "recent: one of --rsource and --rdest");
		return -EINVAL;
	}
	if (!moat_word_ok(rc->name)) {
		NL_SET_ERR_MSG(extack, "recent: white space or a quote in --name");
		return -EINVAL;
	}
	if (rc->hitcount > MOAT_RECENT_MAX_HITS) {
		NL_SET_ERR_MSG(extack, "recent: --hitcount is at most 255");
		return -EINVAL;
	}
	if ((rc->flags & MOAT_RECENT_F_REAP) && !rc->seconds) {
		NL_SET_ERR_MSG(extack, "recent: --reap needs --seconds");
		return -EINVAL;
	}
	return 0;
}

static unsigned int moat_recent_ring(u32 hitcount)
{
	return roundup_pow_of_two(max_t(u32, hitcount, 1));
}

/* A list of @ring stamps per entry; GFP_KERNEL: the control path only. */
static struct moat_recent_list *moat_recent_alloc(const char *name, u64 cookie,
						  unsigned int ring, __be32 mask)
{
	struct moat_recent_list *l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);

	if (!l)
		return NULL;
	l->stamps = kvcalloc(MOAT_RECENT_ENTRIES * ring, sizeof(*l->stamps),
			     GFP_KERNEL_ACCOUNT);
	if (!l->stamps) {
		kfree(l);
		return NULL;
	}
	strscpy(l->name, name, sizeof(l->name));
	l->net_cookie = cookie;
	l->ring = ring;
	l->mask = mask;
	l->refs = 1;
	spin_lock_init(&l->lock);
	return l;
}

static struct moat_recent_list *moat_recent_find(const char *name, u64 cookie)
{
	struct moat_recent_list *l;

	list_for_each_entry(l, &moat_recent_lists, node)
		if (l->net_cookie == cookie && !strcmp(l->name, name))
			return l;
	return NULL;
}

/*
 * A rule wanting more hits than a list keeps stamps for: as xt_recent,
 * the list starts over with a bigger ring.
 */
static int moat_recent_grow(struct moat_recent_list *l, unsigned int ring)
{
	unsigned long *stamps, *old;

	stamps = kvcalloc(MOAT_RECENT_ENTRIES * ring, sizeof(*stamps),
			  GFP_KERNEL_ACCOUNT);
	if (!stamps)
		return -ENOMEM;
	spin_lock_bh(&l->lock);
	old = l->stamps;
	l->stamps = stamps;
	l->ring = ring;
	memset(l->e, 0, sizeof(l->e));
	l->n_used = 0;
	spin_unlock_bh(&l->lock);
	kvfree(old);
	return 0;
}

/*
 * The namespace's list of @rc's name, with a reference, made if there is
 * none.  Rules are made under the namespace's lock, and only its rules
 * make lists of its cookie: none can appear between the look and the add.
 */
static struct moat_recent_list *moat_recent_get(const struct moat_recent *rc,
						u64 cookie, unsigned int ring)
{
	struct moat_recent_list *l;

	spin_lock_bh(&moat_recent_reg_lock);
	l = moat_recent_find(rc->name, cookie);
	if (l)
		l->refs++;
	spin_unlock_bh(&moat_recent_reg_lock);
	if (l)
		return l;
	/* Allocated unlocked: the registry lock is a spinlock. */
	l = moat_recent_alloc(rc->name, cookie, ring, rc->mask);
	if (!l)
		return NULL;
	spin_lock_bh(&moat_recent_reg_lock);
	list_add(&l->node, &moat_recent_lists);
	spin_unlock_bh(&moat_recent_reg_lock);
	return l;
}

static int moat_recent_check(struct net *net, void *priv,
			     const struct moat_rule *r,
			     struct netlink_ext_ack *extack)
{
	struct moat_recent *rc = priv;
	unsigned int ring = moat_recent_ring(rc->hitcount);
	struct moat_recent_list *l;

	l = moat_recent_get(rc, net->net_cookie, ring);
	if (!l)
		return -ENOMEM;
	rc->list = l;
	/* Only rules change the ring, and they are made under the netns lock. */
	if (ring > READ_ONCE(l->ring))
		return moat_recent_grow(l, ring);
	return 0;
}

/*
 * What a list for @priv's hit count takes, charged to each rule that
 * uses it: a list shared by several rules counts more than once, so the
 * namespace's max_rule_mem errs on the safe side.
 */
static size_t moat_recent_mem(const void *priv)
{
	const struct moat_recent *rc = priv;

	return sizeof(struct moat_recent_list) + MOAT_RECENT_ENTRIES *
	       moat_recent_ring(rc->hitcount) * sizeof(unsigned long);
}

static void moat_recent_destroy(void *priv)
{
	struct moat_recent *rc = priv;
	struct moat_recent_list *l = rc->list;
	bool last;

	if (!l)
		return;
	spin_lock_bh(&moat_recent_reg_lock);
	last = !--l->refs;
	if (last)
		list_del(&l->node);
	spin_unlock_bh(&moat_recent_reg_lock);
	if (last) {
		kvfree(l->stamps);
		kfree(l);
	}
}

static unsigned long *moat_recent_stamps(const struct moat_recent_list *l,
					 const struct moat_recent_entry *e)
{
	return l->stamps + (e - l->e) * l->ring;
}

static void moat_recent_touch(struct moat_recent_list *l,
			      struct moat_recent_entry *e, u8 ttl)
{
	unsigned long *st = moat_recent_stamps(l, e);

	e->index &= l->ring - 1;
	e->last = st[e->index++] = jiffies;
	if (e->index > e->nstamps)
		e->nstamps = e->index;
	e->ttl = ttl;
}

/* The least recently seen entry in use: xt_recent's LRU head. */
static struct moat_recent_entry *moat_recent_oldest(struct moat_recent_list *l)
{
	struct moat_recent_entry *e, *old = NULL;

	for (e = l->e; e < l->e + MOAT_RECENT_ENTRIES; e++)
		if (e->used && (!old || time_before(e->last, old->last)))
			old = e;
	return old;
}

static void moat_recent_remove(struct moat_recent_list *l,
			       struct moat_recent_entry *e)
{
	e->used = false;
	l->n_used--;
}

static struct moat_recent_entry *
moat_recent_lookup(struct moat_recent_list *l, __be32 addr, u8 ttl)
{
	struct moat_recent_entry *e;

	for (e = l->e; e < l->e + MOAT_RECENT_ENTRIES; e++)
		if (e->used && e->addr == addr &&
		    (!ttl || !e->ttl || e->ttl == ttl))
			return e;
	return NULL;
}

static struct moat_recent_entry *
moat_recent_add(struct moat_recent_list *l, __be32 addr, u8 ttl)
{
	struct moat_recent_entry *e;

	if (l->n_used >= MOAT_RECENT_ENTRIES)
		moat_recent_remove(l, moat_recent_oldest(l));
	for (e = l->e; e->used; e++)
		;
	*e = (struct moat_recent_entry){ .addr = addr, .used = true };
	l->n_used++;
	moat_recent_touch(l, e, ttl);
	return e;
}

/* --check and --update: enough hits within the window. */
static bool moat_recent_hits(const struct moat_recent *rc,
			     struct moat_recent_list *l,
			     struct moat_recent_entry *e, unsigned long since)
{
	const unsigned long *st = moat_recent_stamps(l, e);
	unsigned int i, hits = 0;

	for (i = 0; i < e->nstamps; i++) {
		if (rc->seconds && time_after(since, st[i]))
			continue;
		if (!rc->hitcount || ++hits >= rc->hitcount)
			return true;
	}
	return false;
}

static void moat_recent_reap(struct moat_recent_list *l,
			     struct moat_recent_entry *working, bool update,
			     unsigned long since)
{
	struct moat_recent_entry *e = moat_recent_oldest(l);

	if (!e || (e == working && update))
		return;
	if (time_after(since, e->last))
		moat_recent_remove(l, e);
}

static bool moat_recent_update(const struct moat_recent *rc,
			       struct moat_recent_list *l, __be32 addr, u8 ttl)
{
	struct moat_recent_entry *e;
	unsigned long since;
	bool hit = false;

	e = moat_recent_lookup(l, addr, rc->flags & MOAT_RECENT_F_RTTL ? ttl : 0);
	if (!e) {
		if (rc->mode != MOAT_RECENT_SET)
			return false;
		moat_recent_add(l, addr, ttl);
		return true;
	}
	switch (rc->mode) {
	case MOAT_RECENT_SET:
		hit = true;
		break;
	case MOAT_RECENT_REMOVE:
		moat_recent_remove(l, e);
		return true;
	default:
		since = jiffies - (unsigned long)rc->seconds * HZ;
		hit = moat_recent_hits(rc, l, e, since);
		if (rc->flags & MOAT_RECENT_F_REAP)
			moat_recent_reap(l, e, rc->mode == MOAT_RECENT_UPDATE && hit,
					 since);
		if (rc->mode == MOAT_RECENT_UPDATE && !hit)
			return false;
		/* The reap may have taken it when it did not hit. */
		if (rc->mode == MOAT_RECENT_CHECK || !e->used)
			return hit;
	}
	moat_recent_touch(l, e, ttl);
	return hit;
}

static bool moat_recent_match(const struct sk_buff *skb, const void *priv,
			      struct moat_pkt *pkt)
{
	const struct moat_recent *rc = priv;
	const struct iphdr *iph = ip_hdr(skb);
	struct moat_recent_list *l = rc->list;
	__be32 addr = rc->flags & MOAT_RECENT_F_RDEST ? iph->daddr : iph->saddr;
	u8 ttl = iph->ttl;
	bool hit;

	/* The TTL as it was before this host forwarded the packet. */
	if (pkt->state->out &&
	    (!skb->sk || !net_eq(pkt->state->net, sock_net(skb->sk))))
		ttl++;
	spin_lock_bh(&l->lock);
	hit = moat_recent_update(rc, l, addr & l->mask, ttl);
	spin_unlock_bh(&l->lock);
	return hit ^ rc->inv;
}

static int moat_recent_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_recent *rc = priv;

	if (nla_put_string(skb, MOAT_A_RECENT_NAME, rc->name) ||
	    nla_put_u8(skb, MOAT_A_RECENT_MODE, rc->mode) ||
	    nla_put_u32(skb, MOAT_A_RECENT_SECONDS, rc->seconds) ||
	    nla_put_u32(skb, MOAT_A_RECENT_HITCOUNT, rc->hitcount) ||
	    nla_put_u8(skb, MOAT_A_RECENT_FLAGS, rc->flags) ||
	    nla_put_be32(skb, MOAT_A_RECENT_MASK, rc->mask) ||
	    (rc->inv && nla_put_flag(skb, MOAT_A_RECENT_INV)))
		return -EMSGSIZE;
	return 0;
}

const struct moat_match_type moat_match_recent = {
	.name = "recent",
	.policy = moat_recent_policy,
	.maxattr = MOAT_A_RECENT_MAX,
	.size = sizeof(struct moat_recent),
	.cmp_size = offsetof(struct moat_recent, list),
	.parse = moat_recent_parse,
	.check = moat_recent_check,
	.mem = moat_recent_mem,
	.match = moat_recent_match,
	.dump = moat_recent_dump,
	.destroy = moat_recent_destroy,
};
