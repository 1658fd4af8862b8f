// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the "limit" match, a token bucket per rule, and the "statistic"
 * match.  Their state lives in a small object of its own, outside the
 * compared bytes of the rule, and the packet path updates it with
 * cmpxchg loops: no lock.
 */
#include <linux/random.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include "moat.h"

/* --- limit: credits as xt_limit counts them ----------------------------- */

/* The most credits per jiffy that cannot overflow a day's worth in a u32. */
#define MOAT_MAX_CPJ (0xFFFFFFFF / (HZ * 60 * 60 * 24))
#define MOAT_CPJ (1U << (fls(MOAT_MAX_CPJ) - 1))

struct moat_limit_state {
	unsigned long prev;	/* jiffies of the last refill */
	u32 credit;
};

struct moat_limit {
	u32 avg, burst;		/* as iptables gives them */
	u32 cost, cap;		/* derived from the two above */
	struct moat_limit_state *st;
};

static const struct nla_policy moat_limit_policy[MOAT_A_LIMIT_MAX + 1] = {
	[MOAT_A_LIMIT_AVG] = { .type = NLA_U32 },
	[MOAT_A_LIMIT_BURST] = { .type = NLA_U32 },
};

static u32 moat_user2credits(u32 user)
{
	/* Divide first when multiplying would overflow. */
	if (user > 0xFFFFFFFF / (HZ * MOAT_CPJ))
		return (user / MOAT_LIMIT_SCALE) * HZ * MOAT_CPJ;
	return (user * HZ * MOAT_CPJ) / MOAT_LIMIT_SCALE;
}

static int moat_limit_parse(void *priv, struct nlattr **tb,
			    struct netlink_ext_ack *extack)
{
	struct moat_limit *l = priv;

	/* iptables' default: 3/hour, burst 5. */
	l->avg = tb[MOAT_A_LIMIT_AVG] ? nla_get_u32(tb[MOAT_A_LIMIT_AVG]) :
					MOAT_LIMIT_SCALE * 3600 / 3;
	l->burst = tb[MOAT_A_LIMIT_BURST] ? nla_get_u32(tb[MOAT_A_LIMIT_BURST]) : 5;
	/* What iptables' syntax can write: 1/day to 10000/s, burst 1 to 10000. */
	if (!l->avg || l->avg > MOAT_LIMIT_SCALE * 24 * 60 * 60) {
		NL_SET_ERR_MSG(extack, "limit: rate outside 1/day to 10000/second");
		return -ERANGE;
	}
	if (l->burst > MOAT_LIMIT_BURST_MAX) {
		NL_SET_ERR_MSG(extack, "limit: burst above 10000");
		return -ERANGE;
	}
	if (!l->burst ||
	    moat_user2credits(l->avg * l->burst) < moat_user2credits(l->avg)) {
		NL_SET_ERR_MSG(extack, "limit: rate times burst overflows, try lower");
		return -ERANGE;
	}
	l->st = kmalloc(sizeof(*l->st), GFP_KERNEL_ACCOUNT);
	if (!l->st)
		return -ENOMEM;
	l->cap = moat_user2credits(l->avg * l->burst);
	l->cost = moat_user2credits(l->avg);
	l->st->prev = jiffies;
	l->st->credit = l->cap;		/* a full bucket */
	return 0;
}

static bool moat_limit_match(const struct sk_buff *skb, const void *priv,
			     struct moat_pkt *pkt)
{
	const struct moat_limit *l = priv;
	struct moat_limit_state *st = l->st;
	u64 gained = 0;
	unsigned long now;
	u32 old, new;
	bool ok;

	/* Nothing can have changed within this jiffy. */
	if (READ_ONCE(st->credit) < l->cost && READ_ONCE(st->prev) == jiffies)
		return false;
	do {
		now = jiffies;
		/* Capped, so that a long idle time cannot overflow it. */
		gained = min_t(u64, gained + (u64)(now - xchg(&st->prev, now)) *
				    MOAT_CPJ, l->cap);
		old = READ_ONCE(st->credit);
		new = min_t(u64, (u64)old + gained, l->cap);
		ok = new >= l->cost;
		if (ok)
			new -= l->cost;
	} while (cmpxchg(&st->credit, old, new) != old);
	return ok;
}

static int moat_limit_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_limit *l = priv;

	if (nla_put_u32(skb, MOAT_A_LIMIT_AVG, l->avg) ||
	    nla_put_u32(skb, MOAT_A_LIMIT_BURST, l->burst))
		return -EMSGSIZE;
	return 0;
}

static void moat_limit_destroy(void *priv)
{
	struct moat_limit *l = priv;

	kfree(l->st);
}

const struct moat_match_type moat_match_limit = {
	.name = "limit",
	.policy = moat_limit_policy,
	.maxattr = MOAT_A_LIMIT_MAX,
	.size = sizeof(struct moat_limit),
	.cmp_size = offsetof(struct moat_limit, cost),
	.parse = moat_limit_parse,
	.match = moat_limit_match,
	.dump = moat_limit_dump,
	.destroy = moat_limit_destroy,
};

/* --- statistic: random, or every nth packet ----------------------------- */

struct moat_statistic {
	u32 probability;	/* of 2^31, random mode */
	u32 every, packet;	/* nth mode: every is n - 1 */
	u8 mode;
	bool inv;
	atomic_t *count;	/* nth mode: counts down from every to 0 */
};

static const struct nla_policy moat_statistic_policy[MOAT_A_STATISTIC_MAX + 1] = {
	[MOAT_A_STATISTIC_MODE] = NLA_POLICY_MAX(NLA_U8, MOAT_STATISTIC_NTH),
	[MOAT_A_STATISTIC_PROBABILITY] = { .type = NLA_U32 },
	[MOAT_A_STATISTIC_EVERY] = { .type = NLA_U32 },
	[MOAT_A_STATISTIC_PACKET] = { .type = NLA_U32 },
	[MOAT_A_STATISTIC_INV] = { .type = NLA_FLAG },
};

static u32 moat_get_u32(const struct nlattr *attr)
{
	return attr ? nla_get_u32(attr) : 0;
}

static int moat_statistic_parse(void *priv, struct nlattr **tb,
				struct netlink_ext_ack *extack)
{
	struct moat_statistic *s = priv;

	s->mode = tb[MOAT_A_STATISTIC_MODE] ?
		  nla_get_u8(tb[MOAT_A_STATISTIC_MODE]) : MOAT_STATISTIC_RANDOM;
	s->inv = nla_get_flag(tb[MOAT_A_STATISTIC_INV]);
	if (s->mode == MOAT_STATISTIC_RANDOM) {
		s->probability = moat_get_u32(tb[MOAT_A_STATISTIC_PROBABILITY]);
		/* 2^31 is a probability of 1, as in xt_statistic. */
		if (s->probability > 0x80000000) {
			NL_SET_ERR_MSG(extack, "statistic: probability above 1");
			return -ERANGE;
		}
		return 0;
	}
	/* --every n is sent as n - 1, so n itself must fit a u32. */
	s->every = moat_get_u32(tb[MOAT_A_STATISTIC_EVERY]);
	if (s->every == U32_MAX) {
		NL_SET_ERR_MSG(extack, "statistic: --every above 4294967295");
		return -ERANGE;
	}
	s->packet = moat_get_u32(tb[MOAT_A_STATISTIC_PACKET]);
	if (s->packet > s->every) {
		NL_SET_ERR_MSG(extack, "statistic: --packet must be below --every");
		return -EINVAL;
	}
	s->count = kmalloc(sizeof(*s->count), GFP_KERNEL_ACCOUNT);
	if (!s->count)
		return -ENOMEM;
	atomic_set(s->count, s->every - s->packet);
	return 0;
}

static bool moat_statistic_match(const struct sk_buff *skb, const void *priv,
				 struct moat_pkt *pkt)
{
	const struct moat_statistic *s = priv;
	int old, new;

	if (s->mode == MOAT_STATISTIC_RANDOM)
		return ((get_random_u32() & 0x7FFFFFFF) < s->probability) ^ s->inv;
	do {
		old = atomic_read(s->count);
		new = old == s->every ? 0 : old + 1;
	} while (atomic_cmpxchg(s->count, old, new) != old);
	return !new ^ s->inv;
}

static int moat_statistic_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_statistic *s = priv;

	if (nla_put_u8(skb, MOAT_A_STATISTIC_MODE, s->mode) ||
	    nla_put_u32(skb, MOAT_A_STATISTIC_PROBABILITY, s->probability) ||
	    nla_put_u32(skb, MOAT_A_STATISTIC_EVERY, s->every) ||
	    nla_put_u32(skb, MOAT_A_STATISTIC_PACKET, s->packet) ||
	    (s->inv && nla_put_flag(skb, MOAT_A_STATISTIC_INV)))
		return -EMSGSIZE;
	return 0;
}

static void moat_statistic_destroy(void *priv)
{
	struct moat_statistic *s = priv;

	kfree(s->count);
}

const struct moat_match_type moat_match_statistic = {
	.name = "statistic",
	.policy = moat_statistic_policy,
	.maxattr = MOAT_A_STATISTIC_MAX,
	.size = sizeof(struct moat_statistic),
	.cmp_size = offsetof(struct moat_statistic, count),
	.parse = moat_statistic_parse,
	.match = moat_statistic_match,
	.dump = moat_statistic_dump,
	.destroy = moat_statistic_destroy,
};
