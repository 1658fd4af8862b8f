// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the "LOG" target.  Writes one kernel log line per packet through
 * nf_log, the same backend (nf_log_syslog) and the same line format as
 * iptables' LOG, then lets the packet go on to the next rule.
 *
 * nf_log_syslog prints every packet it is given; iptables leaves flood
 * control to the admin (-m limit).  Here a lock-free global budget of
 * log_rate lines per second also bounds what a flood can write, and the
 * lines it held back are counted in one line when the next second starts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/kmod.h>
#include <linux/moduleparam.h>
#include <net/netfilter/nf_log.h>
#include "moat.h"

#define MOAT_LOG_ALL	(MOAT_LOG_TCPSEQ | MOAT_LOG_TCPOPT | MOAT_LOG_IPOPT | \
			 MOAT_LOG_UID | MOAT_LOG_MACDECODE)

static unsigned int log_rate = 100;
module_param(log_rate, uint, 0644);
MODULE_PARM_DESC(log_rate, "LOG lines per second, all rules together (0: no limit)");

struct moat_log {
	u8 level;
	u8 flags;		/* MOAT_LOG_*, the same bits as nf_log's */
	char prefix[MOAT_LOG_PREFIX_LEN];
};

static const struct nla_policy moat_log_policy[MOAT_A_LOG_MAX + 1] = {
	[MOAT_A_LOG_PREFIX] = { .type = NLA_NUL_STRING,
				.len = MOAT_LOG_PREFIX_LEN - 1 },
	[MOAT_A_LOG_LEVEL] = NLA_POLICY_MAX(NLA_U8, 7),
	[MOAT_A_LOG_FLAGS] = NLA_POLICY_MASK(NLA_U8, MOAT_LOG_ALL),
};

/* The budget's current second, and what it has used and held back. */
static unsigned long moat_log_start;
static atomic_t moat_log_used = ATOMIC_INIT(0);
static atomic_t moat_log_missed = ATOMIC_INIT(0);

static bool moat_log_budget(void)
{
	unsigned int rate = READ_ONCE(log_rate);
	unsigned long start = READ_ONCE(moat_log_start), now = jiffies;
	int missed;

	if (!rate)
		return true;
	/* One CPU wins the swap and opens the next second for everyone. */
	if ((time_after_eq(now, start + HZ) || time_before(now, start)) &&
	    cmpxchg(&moat_log_start, start, now) == start) {
		atomic_set(&moat_log_used, 0);
		missed = atomic_xchg(&moat_log_missed, 0);
		if (missed)
			pr_info("%d LOG lines suppressed (log_rate %u per second)\n",
				missed, rate);
	}
	if (atomic_inc_return(&moat_log_used) <= rate)
		return true;
	atomic_inc(&moat_log_missed);
	return false;
}

static int moat_log_parse(struct net *net, void *priv, struct nlattr **tb,
			  const struct moat_rule *r,
			  struct netlink_ext_ack *extack)
{
	struct moat_log *l = priv;
	int err;

	l->level = tb[MOAT_A_LOG_LEVEL] ? nla_get_u8(tb[MOAT_A_LOG_LEVEL]) : 4;
	if (tb[MOAT_A_LOG_FLAGS])
		l->flags = nla_get_u8(tb[MOAT_A_LOG_FLAGS]);
	if (tb[MOAT_A_LOG_PREFIX])
		nla_strscpy(l->prefix, tb[MOAT_A_LOG_PREFIX], sizeof(l->prefix));
	/* As iptables' syntax: a saved ruleset is one rule a line. */
	if (strchr(l->prefix, '\n')) {
		NL_SET_ERR_MSG(extack, "a newline in a LOG prefix");
		return -EINVAL;
	}
	/* Pins nf_log_syslog while a rule may log through it. */
	err = nf_logger_find_get(NFPROTO_IPV4, NF_LOG_TYPE_LOG);
	if (err) {
		request_module("nf_log_syslog");
		err = nf_logger_find_get(NFPROTO_IPV4, NF_LOG_TYPE_LOG);
	}
	if (err)
		NL_SET_ERR_MSG(extack, "no IPv4 packet logger (nf_log_syslog)");
	return err;
}

static unsigned int moat_log_target(struct sk_buff *skb, const void *priv,
				    const struct moat_pkt *pkt)
{
	const struct moat_log *l = priv;
	const struct nf_hook_state *st = pkt->state;
	struct nf_loginfo li = {
		.type = NF_LOG_TYPE_LOG,
		.u.log = { .level = l->level, .logflags = l->flags },
	};

	/* nf_log_syslog stays silent outside init_net unless told otherwise. */
	if ((net_eq(st->net, &init_net) || READ_ONCE(sysctl_nf_log_all_netns)) &&
	    moat_log_budget())
		nf_log_packet(st->net, NFPROTO_IPV4, st->hook, skb, st->in,
			      st->out, &li, "%s", l->prefix);
	return MOAT_CONTINUE;
}

static int moat_log_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_log *l = priv;

	if (nla_put_string(skb, MOAT_A_LOG_PREFIX, l->prefix) ||
	    nla_put_u8(skb, MOAT_A_LOG_LEVEL, l->level) ||
	    nla_put_u8(skb, MOAT_A_LOG_FLAGS, l->flags))
		return -EMSGSIZE;
	return 0;
}

static void moat_log_destroy(void *priv)
{
	nf_logger_put(NFPROTO_IPV4, NF_LOG_TYPE_LOG);
}

const struct moat_target_type moat_target_log = {
	.name = "LOG",
	.policy = moat_log_policy,
	.maxattr = MOAT_A_LOG_MAX,
	.size = sizeof(struct moat_log),
	.parse = moat_log_parse,
	.target = moat_log_target,
	.dump = moat_log_dump,
	.destroy = moat_log_destroy,
};
