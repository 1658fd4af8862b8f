// SPDX-License-Identifier: GPL-2.0
/*
 * moat: rule lists classified, so a packet visits only the rules that can
 * match it.
 *
 * After a change is published (off the packet path, in a work item) each
 * chain's rules get an index.  The chain is cut into runs of consecutive
 * rules.  A rule that names an exact value of a header field iptables
 * checks before anything else (source or destination under the rule's
 * mask, destination port of a leading tcp/udp match, input interface,
 * protocol) is "keyed" by the most selective one; consecutive keyed rules
 * form a keyed run, with one hash table per kind of key ("dimension"):
 * key -> the ascending indexes of the rules with that key.  Other rules
 * form linear runs.
 *
 * A packet computes its keys once, then in a keyed run looks itself up in
 * each dimension and visits only the rules found, in their order.  A
 * skipped rule could not match: it fails on a field compared before any of
 * its matches runs, so no counter, limit, recent list or LOG of it would
 * have moved either.  Where a packet's key cannot be known (a tcp/udp
 * fragment, a truncated header), the run is walked linearly, as without
 * an index, so hotdrops happen as they would.
 *
 * A change of a few rules (-A, -I, -D, -R) does not wait for a new index:
 * the commit patches a copy of the live one and publishes it with the new
 * list, so packets never walk a long chain meanwhile.  The positions in
 * it move with the rules; a new or re-keyed rule becomes a linear run of
 * its own, cut out of the keyed run it lands in (whose two halves share
 * their hash tables); a deleted rule's entry stays, naming the rule after
 * it, a candidate that is then matched in full like any other.  After
 * MOAT_PATCHES_MAX such changes the work item builds the index anew.
 */
#include <linux/hash.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <asm/word-at-a-time.h>
#include "moat.h"
#include "classify.h"

bool moat_classify_on = true;
module_param_named(classify, moat_classify_on, bool, 0644);
MODULE_PARM_DESC(classify, "look rules up through per-chain indexes (default on)");

/* How a rule is keyed. */
struct moat_rule_key {
	u8 kind;		/* enum moat_dim_kind, or MOAT_DIM_NONE */
	__be32 mask;
	u32 key;
};
#define MOAT_DIM_NONE	0xff

/*
 * An interface name's hash, from its IFNAMSIZ bytes read as two words:
 * cheap enough for every packet.  The bytes after the NUL are masked off,
 * since a rename may leave some of the old name there.
 */
static __always_inline u32 moat_iif_hash(const char name[IFNAMSIZ])
{
	const struct word_at_a_time c = WORD_AT_A_TIME_CONSTANTS;
	unsigned long w[2], bits;

	BUILD_BUG_ON(IFNAMSIZ != sizeof(w));
	memcpy(w, name, sizeof(w));
	if (has_zero(w[0], &bits, &c)) {
		w[0] &= zero_bytemask(create_zero_mask(prep_zero_mask(w[0], bits, &c)));
		w[1] = 0;
	} else if (has_zero(w[1], &bits, &c)) {
		w[1] &= zero_bytemask(create_zero_mask(prep_zero_mask(w[1], bits, &c)));
	}
	return hash_64(w[0] ^ hash_64(w[1], 64), 32);
}

static struct moat_rule_key moat_rule_key(const struct moat_rule *r)
{
	const struct moat_match *first;
	const struct moat_ifaces *ifs = moat_rule_ifaces(r);
	struct moat_rule_key k = { .kind = MOAT_DIM_NONE };
	u16 port;

	first = (const struct moat_match *)(r->ext + r->ifaces_len);

	if (r->smsk && !(r->inv & MOAT_INV_SRC)) {
		k = (struct moat_rule_key){ MOAT_DIM_SRC, r->smsk, ntohl(r->src) };
	} else if (r->dmsk && !(r->inv & MOAT_INV_DST)) {
		k = (struct moat_rule_key){ MOAT_DIM_DST, r->dmsk, ntohl(r->dst) };
	} else if (r->proto && !(r->inv & MOAT_INV_PROTO) &&
		   moat_rule_has_matches(r) && moat_ports_dport_key(first, &port)) {
		k = (struct moat_rule_key){ MOAT_DIM_DPORT, 0, r->proto << 16 | port };
	} else if (ifs && ifs->iif[0] && !(r->inv & MOAT_INV_IIF) &&
		   ifs->iif_len == strlen(ifs->iif) + 1) {
		k = (struct moat_rule_key){ MOAT_DIM_IIF, 0, moat_iif_hash(ifs->iif) };
	} else if (r->proto && !(r->inv & MOAT_INV_PROTO)) {
		k = (struct moat_rule_key){ MOAT_DIM_PROTO, 0, r->proto };
	}
	return k;
}

/* Whether @b, in place of @a, is looked up as @a was. */
bool moat_classify_same_key(const struct moat_rule *a, const struct moat_rule *b)
{
	struct moat_rule_key ka = moat_rule_key(a), kb = moat_rule_key(b);

	return ka.kind == kb.kind && ka.mask == kb.mask && ka.key == kb.key;
}

/*
 * A key's first slot: the top bits of a multiplicative (Fibonacci) hash,
 * which every bit of the key moves, so neither neighbouring keys (ports,
 * addresses) nor keys that differ in their high bits only (interface
 * names' hashes) crowd into neighbouring slots.  Two instructions: it is
 * paid for every dimension of every lookup.
 */
static u32 moat_slot_hash(u32 key, const struct moat_dim *d)
{
	return hash_32(key, d->slot_bits);
}

/* The slot of @key in @d, or NULL. */
static const struct moat_slot *moat_dim_find(const struct moat_dim *d, u32 key)
{
	u32 h = moat_slot_hash(key, d);
	const struct moat_slot *s;

	for (;; h = (h + 1) & d->slot_mask) {
		s = &d->slots[h];
		if (!s->count)
			return NULL;
		if (s->key == key)
			return s;
	}
}

/* --- building (process context, under the namespace's lock) ------------- */

static struct moat_dim *moat_dim_of(struct moat_run *run,
				    const struct moat_rule_key *k)
{
	u32 i;

	for (i = 0; i < run->n_dims; i++)
		if (run->dims[i].kind == k->kind && run->dims[i].mask == k->mask)
			return &run->dims[i];
	return NULL;
}

/* Whether a rule keyed @k goes on in @run, adding its dimension if new. */
static bool moat_run_takes(struct moat_run *run, const struct moat_rule_key *k)
{
	if (k->kind == MOAT_DIM_NONE)
		return !run->n_dims;
	if (!run->n_dims)
		return false;
	if (moat_dim_of(run, k))
		return true;
	if (run->n_dims == MOAT_RUN_DIMS)
		return false;
	run->dims[run->n_dims++] = (struct moat_dim){ .kind = k->kind, .mask = k->mask };
	return true;
}

/* Cuts the rules into runs (into @runs, or only counted if NULL). */
static u32 moat_plan_runs(u32 n_rules, const struct moat_rule_key *keys,
			  struct moat_run *runs)
{
	struct moat_run scratch, *run = NULL;
	u32 i, n = 0;

	for (i = 0; i < n_rules; i++) {
		if (!run || !moat_run_takes(run, &keys[i])) {
			run = runs ? &runs[n] : &scratch;
			n++;
			*run = (struct moat_run){ .start = i };
			if (keys[i].kind != MOAT_DIM_NONE)
				run->dims[run->n_dims++] = (struct moat_dim){
					.kind = keys[i].kind, .mask = keys[i].mask };
		}
		if (keys[i].kind != MOAT_DIM_NONE)
			moat_dim_of(run, &keys[i])->n_rules++;
		run->end = i + 1;
	}
	return n;
}

/* Sizes every dimension's table, load under a half; returns the slots. */
static u32 moat_size_dims(struct moat_index *ix)
{
	u32 i, j, used = 0, size;
	struct moat_dim *d;

	for (i = 0; i < ix->n_runs; i++) {
		for (j = 0; j < ix->runs[i].n_dims; j++) {
			d = &ix->runs[i].dims[j];
			size = roundup_pow_of_two(2 * d->n_rules + 1);
			d->slot_mask = size - 1;
			d->slot_bits = ilog2(size);
			d->slots = ix->slots ? ix->slots->s + used : NULL;
			used += size;
		}
	}
	return used;
}

/* The slot for @key in @d: its own, or the empty one it gets. */
static struct moat_slot *moat_slot_claim(struct moat_dim *d, u32 key)
{
	u32 h = moat_slot_hash(key, d);
	struct moat_slot *s;

	for (;; h = (h + 1) & d->slot_mask) {
		s = &d->slots[h];
		if (!s->count || s->key == key) {
			s->key = key;
			return s;
		}
	}
}

/* Fills idx[]: each slot's rule indexes contiguous and ascending. */
static void moat_fill_slots(struct moat_index *ix,
			    const struct moat_rule_key *keys, u32 n_slots)
{
	struct moat_run *run;
	struct moat_slot *s;
	u32 i, r, next = 0;

	for (i = 0; i < ix->n_runs; i++) {
		run = &ix->runs[i];
		for (r = run->start; r < run->end && run->n_dims; r++)
			moat_slot_claim(moat_dim_of(run, &keys[r]), keys[r].key)->count++;
	}
	for (i = 0; i < n_slots; i++) {
		ix->slots->s[i].first = next;
		next += ix->slots->s[i].count;
		ix->slots->s[i].count = 0;
	}
	ix->n_idx = next;
	ix->idx->last = 0;
	for (i = 0; i < ix->n_runs; i++) {
		run = &ix->runs[i];
		for (r = run->start; r < run->end && run->n_dims; r++) {
			s = moat_slot_claim(moat_dim_of(run, &keys[r]), keys[r].key);
			ix->idx->e[s->first + s->count++] = r;
			ix->idx->last = r;
		}
	}
}

void moat_index_free(struct moat_index *ix)
{
	if (!ix)
		return;
	kvfree(ix->runs);
	if (ix->idx && refcount_dec_and_test(&ix->idx->ref))
		kvfree(ix->idx);
	if (ix->slots && refcount_dec_and_test(&ix->slots->ref))
		kvfree(ix->slots);
	kfree(ix);
}

static void moat_index_free_rcu(struct rcu_head *head)
{
	moat_index_free(container_of(head, struct moat_index, rcu));
}

/* Gives @rules index @ix (NULL: none); frees the one it had, if any, once
 * no packet can be reading it. */
static void moat_rules_set_index(struct moat_rules *rules, struct moat_index *ix)
{
	struct moat_index *old = rcu_replace_pointer(rules->index, ix, true);

	if (old)
		call_rcu(&old->rcu, moat_index_free_rcu);
}

static struct moat_index *moat_index_alloc(u32 n_rules, u32 n_runs,
					   const struct moat_rule_key *keys)
{
	struct moat_index *ix = kzalloc(sizeof(*ix), GFP_KERNEL_ACCOUNT);
	u32 n_slots;

	if (!ix)
		return NULL;
	ix->runs = kvmalloc_array(n_runs, sizeof(*ix->runs), GFP_KERNEL_ACCOUNT);
	ix->idx = kvmalloc(struct_size(ix->idx, e, n_rules), GFP_KERNEL_ACCOUNT);
	if (ix->idx)
		refcount_set(&ix->idx->ref, 1);
	if (!ix->runs || !ix->idx)
		goto err;
	ix->n_runs = moat_plan_runs(n_rules, keys, ix->runs);
	n_slots = moat_size_dims(ix);
	ix->slots = kvzalloc(struct_size(ix->slots, s, n_slots), GFP_KERNEL_ACCOUNT);
	if (!ix->slots)
		goto err;
	refcount_set(&ix->slots->ref, 1);
	moat_size_dims(ix);
	moat_fill_slots(ix, keys, n_slots);
	return ix;

err:
	moat_index_free(ix);
	return NULL;
}

/* How each rule of @rules is keyed; NULL if memory is short. */
static struct moat_rule_key *moat_rules_keys(const struct moat_rules *rules)
{
	struct moat_rule_key *keys;
	struct moat_cursor cur;
	struct moat_rule *r;
	u32 i;

	keys = kvmalloc_array(rules->n, sizeof(*keys), GFP_KERNEL);
	if (keys)
		moat_rules_for_each(rules, cur, i, r)
			keys[i] = moat_rule_key(r);
	return keys;
}

/* An index for @n rules keyed @keys, or NULL if it would not pay. */
static struct moat_index *moat_index_build(u32 n, const struct moat_rule_key *keys)
{
	u32 n_runs = moat_plan_runs(n, keys, NULL);

	/* Mostly short runs: lookups would cost what walking does. */
	return n_runs * 4 <= n ? moat_index_alloc(n, n_runs, keys) : NULL;
}

/* Frees what the classifier attached to @rules (no packet sees it). */
void moat_rules_index_free(struct moat_rules *rules)
{
	moat_index_free(rcu_dereference_protected(rules->index, true));
}

#define moat_for_each_chain(mn, i, c)					\
	for (i = 0; i < MOAT_MAX_TABLES; i++)				\
		if (mn->tables[i])					\
			list_for_each_entry(c, &mn->tables[i]->chains, list)

/* A published rule list the classifier has not taken up yet. */
static struct moat_rules *moat_classify_next_list(struct moat_net *mn)
{
	struct moat_chain *c;
	int i;

	moat_for_each_chain(mn, i, c)
		if (!c->rules->classified && c->rules->n >= MOAT_CLASSIFY_MIN)
			return c->rules;
	return NULL;
}

/*
 * Whether @rules, taken up before the lock was dropped, is still a chain's:
 * a list allocated since at the same address is not taken up yet.
 */
static bool moat_rules_published(struct moat_net *mn,
				 const struct moat_rules *rules)
{
	struct moat_chain *c;
	int i;

	moat_for_each_chain(mn, i, c)
		if (c->rules == rules)
			return rules->classified;
	return false;
}

/*
 * Indexes every new rule list worth it.  The lock is held only to read the
 * rules' keys and to attach the index: building it, the costly part for a
 * long list, must not delay the next change.  A list replaced meanwhile
 * gets no index (its successor is taken up in turn).
 */
static void moat_classify_work(struct work_struct *work)
{
	struct moat_net *mn = container_of(work, struct moat_net, classify_work);
	struct moat_rule_key *keys;
	struct moat_rules *rules;
	struct moat_index *ix;
	u32 n;

	mutex_lock(&mn->lock);
	while ((rules = moat_classify_next_list(mn))) {
		rules->classified = true;
		n = rules->n;
		keys = moat_rules_keys(rules);
		mutex_unlock(&mn->lock);
		ix = keys ? moat_index_build(n, keys) : NULL;
		kvfree(keys);
		cond_resched();
		mutex_lock(&mn->lock);
		if (ix && moat_rules_published(mn, rules))
			moat_rules_set_index(rules, ix);
		else
			moat_index_free(ix);
	}
	mutex_unlock(&mn->lock);
}

void moat_classify_init(struct moat_net *mn)
{
	INIT_WORK(&mn->classify_work, moat_classify_work);
}

/* After a commit: index what changed, soon, without delaying the reply. */
void moat_classify_later(struct moat_net *mn)
{
	schedule_work(&mn->classify_work);
}

/* --- the packet path ----------------------------------------------------- */

static void moat_pkt_keys(struct moat_pkt *pkt, const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct net_device *in = pkt->state->in;
	union {
		struct tcphdr tcp;
		struct udphdr udp;
	} _h;
	const __be16 *ports;

	pkt->keyed = true;
	pkt->src = ntohl(iph->saddr);
	pkt->dst = ntohl(iph->daddr);
	pkt->proto = iph->protocol;
	pkt->iif_valid = in;
	if (in)
		pkt->iif_hash = moat_iif_hash(in->name);
	pkt->dport = MOAT_KEY_NONE;
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return;
	/* Where a tcp/udp match could hotdrop: walk, don't look up. */
	pkt->dport = MOAT_KEY_UNKNOWN;
	if (pkt->fragoff)
		return;
	/* The whole header, as the tcp and udp matches read it. */
	ports = skb_header_pointer(skb, pkt->thoff, iph->protocol == IPPROTO_TCP ?
				   sizeof(_h.tcp) : sizeof(_h.udp), &_h);
	if (!ports)
		return;
	pkt->dport = MOAT_KEY_VALID;
	pkt->dport_key = iph->protocol << 16 | ntohs(ports[1]);
}

/* The packet's key in @d; false if it has none that any rule there has. */
static bool moat_pkt_key(const struct moat_pkt *pkt, const struct moat_dim *d,
			 u32 *key)
{
	switch (d->kind) {
	case MOAT_DIM_SRC:
		*key = pkt->src & ntohl(d->mask);
		return true;
	case MOAT_DIM_DST:
		*key = pkt->dst & ntohl(d->mask);
		return true;
	case MOAT_DIM_DPORT:
		*key = pkt->dport_key;
		return pkt->dport == MOAT_KEY_VALID;
	case MOAT_DIM_IIF:
		*key = pkt->iif_hash;
		return pkt->iif_valid;
	default:
		*key = pkt->proto;
		return true;
	}
}

/* Whether some rule of @run can't be told by key from this packet. */
static bool moat_run_needs_walk(const struct moat_run *run,
				const struct moat_pkt *pkt)
{
	u32 i;

	if (pkt->dport != MOAT_KEY_UNKNOWN)
		return false;
	for (i = 0; i < run->n_dims; i++)
		if (run->dims[i].kind == MOAT_DIM_DPORT)
			return true;
	return false;
}

/* The first of a slot's indexes at or after @i, or @none. */
static u32 moat_slot_next(const struct moat_index *ix,
			  const struct moat_slot *s, u32 i, u32 none)
{
	const u32 *idx = ix->idx->e + s->first;
	u32 lo = 0, hi = s->count;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (idx[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->count ? idx[lo] : none;
}

static const struct moat_run *moat_run_at(const struct moat_index *ix, u32 i)
{
	return &ix->runs[moat_run_index(ix, i)];
}

/*
 * moat_classify_next's lookup in @rules' index @ix, @i < rules->n: @i
 * itself in a linear run, else the next rule a lookup finds, or rules->n.
 */
u32 moat_classify_lookup(const struct moat_index *ix,
			 const struct moat_rules *rules, struct moat_pkt *pkt,
			 const struct sk_buff *skb, u32 i)
{
	const struct moat_slot *s;
	const struct moat_run *run;
	u32 d, key, best;

	if (!pkt->keyed)
		moat_pkt_keys(pkt, skb);
	for (run = moat_run_at(ix, i); ; run++) {
		if (!run->n_dims || moat_run_needs_walk(run, pkt))
			return i;
		best = run->end;
		for (d = 0; d < run->n_dims; d++) {
			if (!moat_pkt_key(pkt, &run->dims[d], &key))
				continue;
			s = moat_dim_find(&run->dims[d], key);
			if (s)
				best = min(best, moat_slot_next(ix, s, i, best));
		}
		if (best < run->end || run->end == rules->n)
			return best;
		i = run->end;
	}
}
