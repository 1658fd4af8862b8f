// SPDX-License-Identifier: GPL-2.0
/* moat: per-CPU packet and byte counters, read and reset without locks. */
#include <linux/xarray.h>
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

/*
 * Rules' counters are carved from blocks of one page per CPU: the percpu
 * allocator searches its chunk maps with interrupts off for every
 * allocation, which at 100000 rules was a quarter of a restore.  A block
 * is page-aligned, so a counter's block is found from its address; it is
 * freed when its last counter is.  Blocks with room are on moat_cnt_room.
 */
#define MOAT_CNT_SLOTS	(PAGE_SIZE / sizeof(struct moat_counter))

struct moat_cnt_block {
	struct list_head room;		/* on moat_cnt_room while not full */
	struct moat_counter __percpu *base;
	unsigned int used;
	DECLARE_BITMAP(map, MOAT_CNT_SLOTS);
};

static DEFINE_MUTEX(moat_cnt_lock);
static LIST_HEAD(moat_cnt_room);
static DEFINE_XARRAY(moat_cnt_blocks);	/* by base >> PAGE_SHIFT */

static unsigned long moat_cnt_key(const void __percpu *p)
{
	return (unsigned long)p >> PAGE_SHIFT;
}

static struct moat_cnt_block *moat_cnt_block_new(void)
{
	struct moat_cnt_block *b = kzalloc(sizeof(*b), GFP_KERNEL);

	if (!b)
		return NULL;
	b->base = __alloc_percpu_gfp(PAGE_SIZE, PAGE_SIZE, GFP_KERNEL);
	if (!b->base || WARN_ON_ONCE(!PAGE_ALIGNED((unsigned long)b->base)))
		goto err;
	if (xa_err(xa_store(&moat_cnt_blocks, moat_cnt_key(b->base), b, GFP_KERNEL)))
		goto err;
	list_add(&b->room, &moat_cnt_room);
	return b;
err:
	free_percpu(b->base);
	kfree(b);
	return NULL;
}

int moat_rule_counters_init(struct moat_counters *c)
{
	struct moat_cnt_block *b;
	unsigned int slot;
	int cpu;

	mutex_lock(&moat_cnt_lock);
	b = list_first_entry_or_null(&moat_cnt_room, struct moat_cnt_block, room);
	if (!b)
		b = moat_cnt_block_new();
	if (!b) {
		mutex_unlock(&moat_cnt_lock);
		return -ENOMEM;
	}
	slot = find_first_zero_bit(b->map, MOAT_CNT_SLOTS);
	__set_bit(slot, b->map);
	if (++b->used == MOAT_CNT_SLOTS)
		list_del_init(&b->room);
	mutex_unlock(&moat_cnt_lock);

	c->pcpu = b->base + slot;
	/* A slot may have been a freed rule's. */
	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(c->pcpu, cpu), 0, sizeof(struct moat_counter));
	return 0;
}

void moat_rule_counters_free(struct moat_counters *c)
{
	unsigned long key = moat_cnt_key(c->pcpu);
	struct moat_cnt_block *b;

	if (!c->pcpu)
		return;
	mutex_lock(&moat_cnt_lock);
	b = xa_load(&moat_cnt_blocks, key);
	if (WARN_ON_ONCE(!b))
		goto out;
	if (WARN_ON_ONCE(!__test_and_clear_bit(c->pcpu - b->base, b->map)))
		goto out;
	if (b->used-- == MOAT_CNT_SLOTS)
		list_add(&b->room, &moat_cnt_room);
	if (!b->used) {
		list_del(&b->room);
		xa_erase(&moat_cnt_blocks, key);
		free_percpu(b->base);
		kfree(b);
	}
out:
	mutex_unlock(&moat_cnt_lock);
	c->pcpu = NULL;
}

/* At unload, after every rule is freed: a block left is a leak. */
void moat_counters_pool_exit(void)
{
	WARN_ON(!xa_empty(&moat_cnt_blocks));
	xa_destroy(&moat_cnt_blocks);
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
