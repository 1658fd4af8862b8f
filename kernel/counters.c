// SPDX-License-Identifier: GPL-2.0
/* moat: per-CPU packet and byte counters, read and reset without locks. */
#include <net/genetlink.h>
#include "moat.h"

/*
 * Not charged to the memory cgroup, as iptables' counters are not: the
 * percpu allocator keeps a cgroup pointer per 4 bytes of a charged chunk,
 * twice what the counters themselves take.  The namespace's max_rule_mem
 * counts them all the same.
 */
int moat_counters_init(struct moat_counters *c)
{
	c->pcpu = alloc_percpu_gfp(struct moat_counter, GFP_KERNEL);
	return c->pcpu ? 0 : -ENOMEM;
}

void moat_counters_free(struct moat_counters *c)
{
	free_percpu(c->pcpu);
	c->pcpu = NULL;
}

void moat_counters_read(const struct moat_counters *c, struct moat_counter *sum)
{
	int cpu;

	sum->packets = 0;
	sum->bytes = 0;
	for_each_possible_cpu(cpu) {
		const struct moat_counter *pc = per_cpu_ptr(c->pcpu, cpu);

		sum->packets += READ_ONCE(pc->packets);
		sum->bytes += READ_ONCE(pc->bytes);
	}
}

/* Makes the counters read @to from now on; the caller holds the lock. */
void moat_counters_set(struct moat_counters *c, const struct moat_counter *to)
{
	struct moat_counter sum;

	moat_counters_read(c, &sum);
	this_cpu_add(c->pcpu->packets, to->packets - sum.packets);
	this_cpu_add(c->pcpu->bytes, to->bytes - sum.bytes);
}

int moat_counters_put(struct sk_buff *skb, int attr,
		      const struct moat_counters *c)
{
	struct moat_counter v;
	struct nlattr *nest;

	moat_counters_read(c, &v);
	nest = nla_nest_start(skb, attr);
	if (!nest ||
	    nla_put_u64_64bit(skb, MOAT_A_COUNTERS_PACKETS, v.packets,
			      MOAT_A_COUNTERS_PAD) ||
	    nla_put_u64_64bit(skb, MOAT_A_COUNTERS_BYTES, v.bytes,
			      MOAT_A_COUNTERS_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static const struct nla_policy moat_counters_policy[MOAT_A_COUNTERS_MAX + 1] = {
	[MOAT_A_COUNTERS_PACKETS] = { .type = NLA_U64 },
	[MOAT_A_COUNTERS_BYTES] = { .type = NLA_U64 },
};

int moat_counters_parse(const struct nlattr *attr, struct moat_counter *out,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MOAT_A_COUNTERS_MAX + 1];
	int err;

	err = nla_parse_nested(tb, MOAT_A_COUNTERS_MAX, attr,
			       moat_counters_policy, extack);
	if (err)
		return err;
	if (!tb[MOAT_A_COUNTERS_PACKETS] || !tb[MOAT_A_COUNTERS_BYTES]) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "counters need packets and bytes");
		return -EINVAL;
	}
	out->packets = nla_get_u64(tb[MOAT_A_COUNTERS_PACKETS]);
	out->bytes = nla_get_u64(tb[MOAT_A_COUNTERS_BYTES]);
	return 0;
}
