/* SPDX-License-Identifier: GPL-2.0 */
/* moat: declarations shared by the module's files. */
#ifndef _MOAT_H
#define _MOAT_H

#include <linux/idr.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <uapi/linux/moat.h>

#define MOAT_MAX_TABLES		4
/* Nested calls a packet may make; deeper jumps are refused when added. */
#define MOAT_MAX_DEPTH		32

struct moat_counter {
	u64 packets;
	u64 bytes;
};

/*
 * The sum over CPUs is the count.  Setting it (-Z, restore -c) adds the
 * difference to this CPU's share, so packets counted meanwhile elsewhere
 * stay counted and no base value needs keeping.
 */
struct moat_counters {
	struct moat_counter __percpu *pcpu;
};

int moat_counters_init(struct moat_counters *c);
void moat_counters_free(struct moat_counters *c);
/* A rule's counters, from shared blocks; process context only. */
int moat_rule_counters_init(struct moat_counters *c);
void moat_rule_counters_free(struct moat_counters *c);
void moat_counters_pool_exit(void);
void moat_counters_read(const struct moat_counters *c, struct moat_counter *out);
void moat_counters_set(struct moat_counters *c, const struct moat_counter *to);
int moat_counters_put(struct sk_buff *skb, int attr, const struct moat_counters *c);
int moat_counters_parse(const struct nlattr *attr, struct moat_counter *out,
			struct netlink_ext_ack *extack);

static inline void moat_counters_add(const struct moat_counters *c,
				     unsigned int len)
{
	/* One instruction each, so a softirq on this CPU, or the OUTPUT
	 * hook's process context, can't interleave with another's update. */
	this_cpu_add(c->pcpu->packets, 1);
	this_cpu_add(c->pcpu->bytes, len);
}

/* Whether a packet's destination port is known to the classifier. */
enum moat_key_state {
	MOAT_KEY_NONE,		/* not tcp or udp: no port rule can match */
	MOAT_KEY_VALID,
	MOAT_KEY_UNKNOWN,	/* a fragment or a short header */
};

/* What a match sees of the packet, parsed once per packet. */
struct moat_pkt {
	const struct nf_hook_state *state;
	unsigned int thoff;	/* transport header offset */
	u16 fragoff;		/* in 8-byte units, 0 for the first fragment */
	bool hotdrop;		/* a match found the packet malformed: drop */
	/* The classifier's keys (classify.c), host order, read on the
	 * first lookup: a packet through chains without an index pays
	 * nothing for them. */
	bool keyed;
	u8 proto;
	u8 dport;		/* enum moat_key_state */
	bool iif_valid;
	u32 src, dst;
	u32 dport_key;		/* proto << 16 | port */
	u32 iif_hash;
};

/* The most attributes a match's data may define. */
#define MOAT_MATCH_MAXATTR	15

struct moat_rule;

struct moat_match_type {
	const char *name;
	const struct nla_policy *policy;
	unsigned int maxattr;
	unsigned int size;	/* of the private data */
	/* Leading bytes of the private data that define equality (-D, -C);
	 * 0: all of it.  Runtime state goes after them. */
	unsigned int cmp_size;
	u16 proto;		/* the rule must say -p this (0: any) */
	unsigned int hooks;	/* NF_INET_* bits it is valid in, 0: all */
	/* Fills @priv from the attributes; no references yet. */
	int (*parse)(void *priv, struct nlattr **tb,
		     struct netlink_ext_ack *extack);
	/* Optional: takes references, allocates state; may sleep. */
	int (*check)(struct net *net, void *priv, const struct moat_rule *r,
		     struct netlink_ext_ack *extack);
	/* Optional: the bytes check's state takes, for max_rule_mem; the
	 * same for the rule's whole life. */
	size_t (*mem)(const void *priv);
	bool (*match)(const struct sk_buff *skb, const void *priv,
		      struct moat_pkt *pkt);
	int (*dump)(struct sk_buff *skb, const void *priv);
	/*
	 * Optional: drops what check took, also after a failed parse or check
	 * (so it must cope with what they left).  Atomic context (RCU
	 * callback).
	 */
	void (*destroy)(void *priv);
};

/* A match inside a rule: its type, then its private data. */
struct moat_match {
	const struct moat_match_type *type;
	u16 len;		/* of the whole entry, aligned */
	u8 priv[] __aligned(8);
};

enum moat_target_kind {
	MOAT_T_NONE,		/* no -j: count and continue */
	MOAT_T_ACCEPT,
	MOAT_T_DROP,
	MOAT_T_RETURN,
	MOAT_T_JUMP,
	MOAT_T_GOTO,
	MOAT_T_EXT,		/* an extension: REJECT, LOG, ... */
};

/* What an extension target returns to let the packet go on. */
#define MOAT_CONTINUE	0xffffffffu

/* The most attributes a target's data may define. */
#define MOAT_TARGET_MAXATTR	15

struct moat_rule;

struct moat_target_type {
	const char *name;
	const struct nla_policy *policy;
	unsigned int maxattr;
	unsigned int size;	/* of the private data */
	unsigned int hooks;	/* NF_INET_* bits it is valid in, 0: all */
	const char *table;	/* the only table it is valid in, NULL: any */
	/* Checks and fills @priv; may take references, may sleep. */
	int (*parse)(struct net *net, void *priv, struct nlattr **tb,
		     const struct moat_rule *r, struct netlink_ext_ack *extack);
	/* NF_ACCEPT, NF_DROP or MOAT_CONTINUE; never sleeps. */
	unsigned int (*target)(struct sk_buff *skb, const void *priv,
			       const struct moat_pkt *pkt);
	int (*dump)(struct sk_buff *skb, const void *priv);
	/* Drops what parse took; atomic context (RCU callback), may be NULL. */
	void (*destroy)(void *priv);
};

struct moat_chain;

enum moat_rule_fresh {
	MOAT_RULE_LIVE,		/* committed */
	MOAT_RULE_FRESH,	/* made by the open transaction */
	MOAT_RULE_FRESH_GONE,	/* and taken out again: freed by a sweep */
};

/* -i and -o, when a rule names either: first in its ext[]. */
struct moat_ifaces {
	char iif[IFNAMSIZ], oif[IFNAMSIZ];
	u8 iif_len, oif_len;	/* bytes compared: prefix, or name + NUL */
};

#define MOAT_IFACES_LEN	ALIGN(sizeof(struct moat_ifaces), 8)

/*
 * A rule is immutable once published; -R publishes a new one.  Kept small
 * (48 bytes before its extensions, a 64-byte allocation for most rules):
 * a ruleset is mostly rules.  Everything before @fresh defines the rule
 * (-D and -C compare it byte for byte, then its ext[]).
 */
struct moat_rule {
	__be32 src, smsk, dst, dmsk;
	u16 proto;
	u8 flags, inv;
	u8 kind;		/* enum moat_target_kind */
	u8 ifaces_len;		/* 0, or MOAT_IFACES_LEN: ext[] starts with them */
	u16 matches_end;	/* the matches end here in ext[] */
	union {
		struct moat_chain *chain;		/* JUMP, GOTO */
		const struct moat_target_type *ttype;	/* EXT */
	};
	u16 ext_len;		/* all of ext[]: interfaces, matches, target data */
	u8 fresh;		/* enum moat_rule_fresh */
	u32 hash;		/* of what defines it, for -D and -C */
	struct moat_counters cnt;
	u8 ext[] __aligned(8);
};

static inline const struct moat_ifaces *
moat_rule_ifaces(const struct moat_rule *r)
{
	return r->ifaces_len ? (const struct moat_ifaces *)r->ext : NULL;
}

static inline bool moat_rule_has_matches(const struct moat_rule *r)
{
	return r->matches_end > r->ifaces_len;
}

static inline void *moat_rule_tdata(const struct moat_rule *r)
{
	return (void *)(r->ext + r->matches_end);
}

#define moat_for_each_match(m, r)					\
	for (m = (struct moat_match *)((r)->ext + (r)->ifaces_len);	\
	     (u8 *)m < (r)->ext + (r)->matches_end;			\
	     m = (struct moat_match *)((u8 *)m + m->len))

struct moat_index;
struct iphdr;

/*
 * A chain's rules are a list of pages of rule pointers.  A staged list
 * shares the live list's pages and copies one only to change it, so a
 * single-rule change to a long chain copies one page and the page table,
 * not a pointer for every rule.  Sized to fill a 4 KiB allocation.
 */
#define MOAT_PAGE_RULES		445
#define MOAT_BLOOM_BITS		4096

struct moat_page {
	refcount_t ref;		/* lists holding it: written only at 1 */
	u32 n;			/* rules in r[], never 0 in a list */
	/* Two bits of each rule's hash: -D by spec skips a page without. */
	DECLARE_BITMAP(bloom, MOAT_BLOOM_BITS);
	struct moat_rule *r[MOAT_PAGE_RULES];
};

struct moat_page_ref {
	struct moat_page *pg;
	u32 start;		/* the list position of pg->r[0] */
};

struct moat_rules {
	struct rcu_head rcu;
	struct moat_index __rcu *index;	/* classify.c; NULL: walk */
	u32 n;			/* rules */
	u32 n_pages;
	u32 cap;		/* room in p[], for staging */
	bool classified;	/* the classifier has taken it up */
	struct moat_page_ref p[];
};

/* Where a walk over a list is: rules [base, base + n) are pg->r[]. */
struct moat_cursor {
	const struct moat_page *pg;
	u32 base, n, k;
};

#define MOAT_CURSOR_INIT	((struct moat_cursor){ .n = 0 })

void moat_cursor_seek(const struct moat_rules *rules, struct moat_cursor *cur,
		      u32 i);

/* Rule @i (< rules->n) of @rules; O(1) as a walk goes on in order. */
static inline struct moat_rule *moat_rules_get(const struct moat_rules *rules,
					       struct moat_cursor *cur, u32 i)
{
	if (unlikely(i - cur->base >= cur->n))
		moat_cursor_seek(rules, cur, i);
	return cur->pg->r[i - cur->base];
}

/* Rule @i (< rules->n) of @rules, looked up alone (control path). */
static inline struct moat_rule *moat_rules_at(const struct moat_rules *rules,
					      u32 i)
{
	struct moat_cursor cur = MOAT_CURSOR_INIT;

	return moat_rules_get(rules, &cur, i);
}

/* Every rule of @rules in order, @i its position. */
#define moat_rules_for_each(rules, cur, i, r)				\
	for (cur = MOAT_CURSOR_INIT, i = 0;				\
	     i < (rules)->n && ((r) = moat_rules_get(rules, &cur, i)); i++)

struct moat_chain {
	struct list_head list;		/* in the table, creation order */
	char name[MOAT_NAME_LEN];
	u32 slot;			/* index into the view */
	int hook;			/* NF_INET_*, -1 for a user chain */
	u8 policy;			/* MOAT_VERDICT_*, built-in chains */
	u32 refs;			/* rules jumping or going here */
	struct moat_counters policy_cnt;
	struct moat_rules *rules;	/* as published */
	struct moat_txn_chain *tc;	/* staged self, in a transaction */
	u8 mark;			/* graph walk scratch, under the lock */
	u8 reach;			/* NF_INET_* bits reaching it, scratch */
	u32 height;			/* deepest call chain below this one */
	struct rcu_head rcu;
};

/*
 * What the packet path reads: one immutable array of every chain's rules,
 * indexed by chain slot.  A change builds the next view and publishes it
 * with one pointer swap, so a packet sees the table before or after a
 * change, never half of it.
 */
struct moat_view {
	struct rcu_head rcu;
	u8 policy[NF_INET_NUMHOOKS];	/* of the built-in chains */
	u32 n_slots;
	struct moat_rules *rules[];
};

struct moat_table_def {
	const char *name;
	unsigned int hooks;		/* bit per NF_INET_* */
	int priority[NF_INET_NUMHOOKS];
	/* nat: the NAT core calls the chains, for a connection's first packet */
	bool nat;
	/* mangle: reroute locally made packets whose routing keys changed */
	bool reroute;
};

struct moat_table {
	const struct moat_table_def *def;
	struct net *net;
	struct list_head chains;
	struct moat_chain *builtin[NF_INET_NUMHOOKS];
	struct moat_view __rcu *view;
	struct ida slots;		/* chain slots in the view */
	u32 n_slots;			/* view size: highest slot ever + 1 */
	u32 n_chains;
	u32 generation;			/* bumped on every change */
	struct moat_txn *txn;		/* the open transaction, if any */
	struct nf_hook_ops *ops;
	unsigned int n_ops;
	u32 seq;			/* creation order in the namespace */
};

/* Per network namespace state.  Writers hold @lock; readers use RCU. */
struct moat_net {
	struct mutex lock;
	struct net *net;
	struct moat_table *tables[MOAT_MAX_TABLES];
	u32 table_seq;			/* tables created so far */
	u32 n_rules;			/* in its tables, as committed */
	u64 rule_bytes;			/* their memory, as moat_rule_bytes */
	atomic_t ct_puts;		/* conntrack references to give back */
	struct work_struct ct_work;
	struct work_struct classify_work;	/* indexes new rule lists */
};

struct moat_net *moat_pernet(struct net *net);

/* Gives back a conntrack reference from any context (netns.c). */
void moat_ct_put_later(struct net *net);

int moat_netns_init(void);
void moat_netns_exit(void);

int moat_genl_init(void);
void moat_genl_exit(void);

/* table.c */
extern const struct moat_table_def moat_table_defs[MOAT_MAX_TABLES];
struct moat_table *moat_table_get(struct moat_net *mn, const char *name,
				  struct netlink_ext_ack *extack);
void moat_table_destroy(struct moat_table *t);
struct moat_chain *moat_chain_find(struct moat_table *t, const char *name);
struct moat_chain *moat_chain_alloc(const char *name, int hook);
void moat_chain_free(struct moat_chain *c);
void moat_chain_retire(struct moat_chain *c);
/* rules.c: lists of rules, changed only while staged (not published) */
struct moat_rules *moat_rules_alloc(u32 cap);
struct moat_rules *moat_rules_copy(const struct moat_rules *from, u32 cap);
void moat_rules_free(struct moat_rules *rules);
void moat_rules_retire(struct moat_rules *rules);
int moat_rules_insert(struct moat_rules *rules, u32 pos, struct moat_rule *r);
int moat_rules_remove(struct moat_rules *rules, u32 pos);
int moat_rules_set(struct moat_rules *rules, u32 pos, struct moat_rule *r);
int moat_rules_find(const struct moat_rules *rules, const struct moat_rule *r);
struct moat_view *moat_view_alloc(struct moat_table *t);
void moat_view_install(struct moat_table *t, struct moat_view *v);
void moat_chain_zero(struct moat_chain *c, u32 pos);

/* txn.c: every change is staged in a transaction, then committed. */
/*
 * The single-rule changes a transaction made to a chain, in order, so that
 * the live list's index can be patched for the staged one (classify.c)
 * instead of built again.  More than MOAT_EDITS_MAX, or a flush: rebuild.
 */
enum moat_edit_op {
	MOAT_EDIT_INSERT,	/* a rule at pos, the ones from pos move up */
	MOAT_EDIT_DELETE,	/* rule pos gone, the ones after move down */
	MOAT_EDIT_REKEY,	/* rule pos replaced by one keyed otherwise */
};

#define MOAT_EDITS_MAX	16

struct moat_edits {
	u32 n;			/* > MOAT_EDITS_MAX: too many to patch */
	struct moat_edit {
		u32 pos;
		u8 op;		/* enum moat_edit_op */
	} e[MOAT_EDITS_MAX];
};

static inline void moat_edits_add(struct moat_edits *ed, u8 op, u32 pos)
{
	if (ed->n < MOAT_EDITS_MAX)
		ed->e[ed->n] = (struct moat_edit){ .pos = pos, .op = op };
	if (ed->n <= MOAT_EDITS_MAX)
		ed->n++;
}

static inline void moat_edits_overflow(struct moat_edits *ed)
{
	ed->n = MOAT_EDITS_MAX + 1;
}

struct moat_txn_chain {
	struct list_head list;		/* in the transaction, final order */
	struct moat_chain *c;		/* live, or new and not yet linked */
	char name[MOAT_NAME_LEN];
	struct moat_rules *rules;	/* staged copy; NULL while unchanged;
					 * past apply, the copy it replaced */
	struct moat_edits edits;	/* what changed rules, one by one */
	u32 refs;
	u8 policy;
	bool is_new;
	bool set_cnt;
	struct moat_counter cnt;
};

struct moat_txn {
	struct moat_table *t;
	u32 portid;			/* its socket; 0 for one command */
	bool failed;			/* a command failed: only abort */
	bool dirty;			/* anything staged at all */
	bool jumps_added;		/* the graph needs checking */
	bool hooks_limited;		/* a rule valid in some hooks only */
	s64 d_rules, d_bytes;		/* what commit adds to the namespace's */
	struct list_head chains;
	struct list_head dead;		/* chains deleted, until the commit */
	u32 n_chains;
	struct moat_grave *retired;	/* live rules to free on commit */
	struct moat_grave *made;	/* rules made by the transaction */
	u64 made_bytes, gone_bytes;	/* of those; of those taken out again */
};

/* Rules retired by a commit, freed together once no packet can see them. */
struct moat_grave {
	struct rcu_work rwork;
	u32 n, cap;
	struct moat_rule *r[];
};

/* main.c: frees graves in process context (rule destructors may sleep). */
extern struct workqueue_struct *moat_wq;

static inline const struct moat_rules *
moat_tc_rules(const struct moat_txn_chain *tc)
{
	return tc->rules ?: tc->c->rules;
}

struct moat_txn *moat_txn_begin(struct moat_table *t, u32 portid, bool flush);
int moat_txn_commit(struct moat_txn *txn, struct netlink_ext_ack *extack);
void moat_txn_abort(struct moat_txn *txn);
struct moat_txn_chain *moat_txn_chain(struct moat_txn *txn, const char *name);
int moat_txn_new_chain(struct moat_txn *txn, const char *name,
		       struct netlink_ext_ack *extack);
int moat_txn_del_chain(struct moat_txn *txn, struct moat_txn_chain *tc,
		       struct netlink_ext_ack *extack);
int moat_txn_rename(struct moat_txn *txn, struct moat_txn_chain *tc,
		    const char *newname, struct netlink_ext_ack *extack);
void moat_txn_policy(struct moat_txn *txn, struct moat_txn_chain *tc,
		     u8 policy, const struct moat_counter *cnt);
int moat_txn_insert(struct moat_txn *txn, struct moat_txn_chain *tc, u32 pos,
		    struct moat_rule *r, struct netlink_ext_ack *extack);
int moat_txn_delete(struct moat_txn *txn, struct moat_txn_chain *tc, u32 pos,
		    struct netlink_ext_ack *extack);
int moat_txn_replace(struct moat_txn *txn, struct moat_txn_chain *tc, u32 pos,
		     struct moat_rule *r, struct netlink_ext_ack *extack);
int moat_txn_find(const struct moat_txn_chain *tc, const struct moat_rule *r);
int moat_txn_flush(struct moat_txn *txn, struct moat_txn_chain *tc);

/* graph.c */
int moat_graph_check(struct moat_txn *txn, struct netlink_ext_ack *extack);

/* rule.c */
struct moat_rule *moat_rule_parse(struct moat_txn *txn, const struct nlattr *attr,
				  struct netlink_ext_ack *extack);
void moat_rule_free(struct moat_rule *r);
bool moat_rule_equal(const struct moat_rule *a, const struct moat_rule *b);
bool moat_word_ok(const char *s);
unsigned int moat_rule_hooks(const struct moat_rule *r);
int moat_rule_chain_check(const struct moat_rule *r, int hook,
			  struct netlink_ext_ack *extack);
int moat_rule_dump(struct sk_buff *skb, const struct moat_rule *r);

/* match.c */
const struct moat_match_type *moat_match_type_find(const char *name);
const struct moat_target_type *moat_target_type_find(const char *name);
extern const struct moat_target_type moat_target_reject, moat_target_log,
	moat_target_snat, moat_target_dnat, moat_target_masquerade,
	moat_target_redirect, moat_target_mark, moat_target_connmark,
	moat_target_tos, moat_target_dscp, moat_target_ttl, moat_target_ct,
	moat_target_notrack;
extern const struct moat_match_type moat_match_tcp, moat_match_udp,
	moat_match_icmp, moat_match_state, moat_match_conntrack,
	moat_match_owner;
extern const struct moat_match_type moat_match_multiport, moat_match_limit,
	moat_match_mark, moat_match_comment, moat_match_iprange,
	moat_match_addrtype, moat_match_mac, moat_match_length, moat_match_ttl,
	moat_match_tos, moat_match_dscp, moat_match_recent,
	moat_match_statistic, moat_match_connmark;

/* target_nat.c: for the module's life */
int moat_nat_init(void);
void moat_nat_exit(void);

/* classify.c */
#define MOAT_RUN_DIMS	8	/* kinds of keys looked up in one run */
void moat_classify_init(struct moat_net *mn);
void moat_classify_later(struct moat_net *mn);
void moat_rules_index_free(struct moat_rules *rules);
bool moat_classify_same_key(const struct moat_rule *a, const struct moat_rule *b);
void moat_classify_patch(const struct moat_rules *live, struct moat_rules *next,
			 const struct moat_edits *ed);
extern bool moat_classify_on;
struct moat_index;
u32 moat_classify_lookup(const struct moat_index *ix,
			 const struct moat_rules *rules, struct moat_pkt *pkt,
			 const struct sk_buff *skb, u32 i);

/*
 * The first rule at or after @i that may match the packet: @i itself
 * without an index, else the next one the index finds; rules->n when none
 * is left.  Inline: most chains have no index, and their packets should
 * not pay a call for each rule.
 */
static inline u32 moat_classify_next(const struct moat_rules *rules,
				     struct moat_pkt *pkt,
				     const struct sk_buff *skb, u32 i)
{
	const struct moat_index *ix = rcu_dereference(rules->index);

	if (likely(!ix) || i >= rules->n || !READ_ONCE(moat_classify_on))
		return i;
	return moat_classify_lookup(ix, rules, pkt, skb, i);
}

/* match_tcpudp.c: a leading tcp/udp match's single destination port. */
bool moat_ports_dport_key(const struct moat_match *m, u16 *port);

/* eval.c */
unsigned int moat_hook(void *priv, struct sk_buff *skb,
		       const struct nf_hook_state *state);
unsigned int moat_hook_reroute(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state);

#endif /* _MOAT_H */
