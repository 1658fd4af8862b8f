// SPDX-License-Identifier: GPL-2.0
/* moat: a rule from netlink, back to netlink, compared and freed. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <linux/jhash.h>
#include "moat.h"

/* Plenty for real rules, and bounds the work a packet can cost. */
#define MOAT_MAX_MATCHES	16

static const struct nla_policy moat_match_policy[MOAT_A_MATCH_MAX + 1] = {
	[MOAT_A_MATCH_NAME] = { .type = NLA_NUL_STRING, .len = MOAT_NAME_LEN - 1 },
	[MOAT_A_MATCH_DATA] = { .type = NLA_NESTED },
};

static const struct nla_policy moat_target_policy[MOAT_A_TARGET_MAX + 1] = {
	[MOAT_A_TARGET_VERDICT] = NLA_POLICY_RANGE(NLA_U32, MOAT_VERDICT_ACCEPT,
						   MOAT_VERDICT_RETURN),
	[MOAT_A_TARGET_JUMP] = { .type = NLA_NUL_STRING, .len = MOAT_NAME_LEN - 1 },
	[MOAT_A_TARGET_GOTO] = { .type = NLA_NUL_STRING, .len = MOAT_NAME_LEN - 1 },
	[MOAT_A_TARGET_NAME] = { .type = NLA_NUL_STRING, .len = MOAT_NAME_LEN - 1 },
	[MOAT_A_TARGET_DATA] = { .type = NLA_NESTED },
};

static const struct nla_policy moat_rule_policy[MOAT_A_RULE_MAX + 1] = {
	[MOAT_A_RULE_SRC] = { .type = NLA_BE32 },
	[MOAT_A_RULE_SRC_MASK] = { .type = NLA_BE32 },
	[MOAT_A_RULE_DST] = { .type = NLA_BE32 },
	[MOAT_A_RULE_DST_MASK] = { .type = NLA_BE32 },
	[MOAT_A_RULE_IIF] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[MOAT_A_RULE_OIF] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[MOAT_A_RULE_PROTO] = NLA_POLICY_MAX(NLA_U16, 255),
	[MOAT_A_RULE_FLAGS] = NLA_POLICY_MASK(NLA_U32, MOAT_RULE_F_ALL),
	[MOAT_A_RULE_INV] = NLA_POLICY_MASK(NLA_U32, MOAT_INV_ALL),
	[MOAT_A_RULE_MATCHES] = { .type = NLA_NESTED },
	[MOAT_A_RULE_TARGET] = NLA_POLICY_NESTED(moat_target_policy),
	[MOAT_A_RULE_COUNTERS] = { .type = NLA_NESTED },
};

static unsigned int moat_match_entry_len(const struct moat_match_type *type)
{
	return ALIGN(sizeof(struct moat_match) + type->size, 8);
}

/* Finds the type of one MOAT_A_MATCH; fills @tb with its attributes. */
static const struct moat_match_type *
moat_match_lookup(const struct nlattr *attr, struct nlattr **tb,
		  struct netlink_ext_ack *extack)
{
	const struct moat_match_type *type;

	if (nla_type(attr) != MOAT_A_MATCH) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "expected a match");
		return ERR_PTR(-EINVAL);
	}
	if (nla_parse_nested(tb, MOAT_A_MATCH_MAX, attr, moat_match_policy, extack))
		return ERR_PTR(-EINVAL);
	if (!tb[MOAT_A_MATCH_NAME]) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "match without a name");
		return ERR_PTR(-EINVAL);
	}
	type = moat_match_type_find(nla_data(tb[MOAT_A_MATCH_NAME]));
	if (!type) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_A_MATCH_NAME], "unknown match");
		return ERR_PTR(-ENOENT);
	}
	return type;
}

/* The room the matches of @attr need inside a rule, or -errno. */
static int moat_matches_size(const struct nlattr *attr,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MOAT_A_MATCH_MAX + 1];
	const struct moat_match_type *type;
	const struct nlattr *m;
	int rem, n = 0, size = 0;

	nla_for_each_nested(m, attr, rem) {
		type = moat_match_lookup(m, tb, extack);
		if (IS_ERR(type))
			return PTR_ERR(type);
		if (++n > MOAT_MAX_MATCHES) {
			NL_SET_ERR_MSG_ATTR(extack, m, "too many matches in a rule");
			return -E2BIG;
		}
		size += moat_match_entry_len(type);
	}
	return size;
}

static int moat_match_parse(struct net *net, struct moat_rule *r,
			    struct moat_match *m, const struct nlattr *attr,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MOAT_A_MATCH_MAX + 1];
	const struct moat_match_type *type = moat_match_lookup(attr, tb, extack);
	struct nlattr *data[MOAT_MATCH_MAXATTR + 1];
	int err;

	if (IS_ERR(type))
		return PTR_ERR(type);
	if (type->proto && (r->proto != type->proto || r->inv & MOAT_INV_PROTO)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "match needs its -p protocol");
		return -EINVAL;
	}
	memset(data, 0, sizeof(data));
	if (tb[MOAT_A_MATCH_DATA]) {
		err = nla_parse_nested(data, type->maxattr, tb[MOAT_A_MATCH_DATA],
				       type->policy, extack);
		if (err)
			return err;
	}
	/* From here on, freeing the rule calls the type's destroy. */
	m->type = type;
	m->len = moat_match_entry_len(type);
	err = type->parse(m->priv, data, extack);
	if (err || !type->check)
		return err;
	return type->check(net, m->priv, r, extack);
}

static int moat_matches_parse(struct net *net, struct moat_rule *r,
			      const struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	struct moat_match *m = (struct moat_match *)(r->ext + r->ifaces_len);
	const struct nlattr *a;
	int rem, err;

	nla_for_each_nested(a, attr, rem) {
		err = moat_match_parse(net, r, m, a, extack);
		if (err)
			return err;
		m = (struct moat_match *)((u8 *)m + m->len);
	}
	return 0;
}

/*
 * Whether @s saves as one word that restores as itself: iptables' syntax
 * splits words at white space and groups them with double quotes.
 */
bool moat_word_ok(const char *s)
{
	for (; *s; s++)
		if (isspace(*s) || *s == '"')
			return false;
	return true;
}

/*
 * "eth0" compares name and NUL; "eth+" compares the prefix "eth".  White
 * space no device name may have (dev_valid_name).
 */
static int moat_iface_set(char *name, u8 *len, const struct nlattr *attr,
			  struct netlink_ext_ack *extack)
{
	size_t n;

	if (!attr)
		return 0;
	nla_strscpy(name, attr, IFNAMSIZ);
	n = strlen(name);
	if (!moat_word_ok(name)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "white space or a quote in an interface name");
		return -EINVAL;
	}
	*len = (n && name[n - 1] == '+') ? n - 1 : n + 1;
	return 0;
}

/* Each match's compared part; their state does not count. */
static bool moat_matches_equal(const struct moat_rule *a,
			       const struct moat_rule *b)
{
	const struct moat_match *ma, *mb;

	mb = (const struct moat_match *)(b->ext + b->ifaces_len);

	moat_for_each_match(ma, a) {
		if (ma->type != mb->type ||
		    memcmp(ma->priv, mb->priv,
			   ma->type->cmp_size ?: ma->type->size))
			return false;
		mb = (const struct moat_match *)((const u8 *)mb + mb->len);
	}
	return true;
}

/* Same selectors, matches and target; counters and origin do not count. */
bool moat_rule_equal(const struct moat_rule *a, const struct moat_rule *b)
{
	/* The header compares the lengths of ext[]'s parts too. */
	return a->hash == b->hash &&
	       !memcmp(a, b, offsetof(struct moat_rule, fresh)) &&
	       !memcmp(a->ext, b->ext, a->ifaces_len) &&
	       moat_matches_equal(a, b) &&
	       !memcmp(a->ext + a->matches_end, b->ext + b->matches_end,
		       a->ext_len - a->matches_end);
}

/* A hash of what moat_rule_equal() compares. */
static u32 moat_rule_hash(const struct moat_rule *r)
{
	const struct moat_match *m;
	u32 h;

	h = jhash(r, offsetof(struct moat_rule, fresh), 0);
	h = jhash(r->ext, r->ifaces_len, h);
	moat_for_each_match(m, r)
		h = jhash(m->priv, m->type->cmp_size ?: m->type->size,
			  jhash(&m->type, sizeof(m->type), h));
	return jhash(r->ext + r->matches_end, r->ext_len - r->matches_end, h);
}

/*
 * The extension target a MOAT_A_RULE_TARGET names, NULL for none, for
 * the rule's size: only the name is read here, copied out whatever it
 * holds; moat_target_parse validates the whole of it, and refuses a
 * target whose data would not fit the room made for this one.
 */
static const struct moat_target_type *
moat_target_lookup(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	const struct moat_target_type *type;
	const struct nlattr *name;
	char buf[MOAT_NAME_LEN];

	name = attr ? nla_find_nested(attr, MOAT_A_TARGET_NAME) : NULL;
	if (!name || nla_strscpy(buf, name, sizeof(buf)) < 0)
		return NULL;
	type = moat_target_type_find(buf);
	if (!type) {
		NL_SET_ERR_MSG_ATTR(extack, name, "unknown target");
		return ERR_PTR(-ENOENT);
	}
	return type;
}

static int moat_ext_target_parse(struct moat_txn *txn, struct moat_rule *r,
				 struct nlattr **tb,
				 struct netlink_ext_ack *extack)
{
	const struct moat_target_type *type;
	struct nlattr *data[MOAT_TARGET_MAXATTR + 1];
	int err;

	type = moat_target_type_find(nla_data(tb[MOAT_A_TARGET_NAME]));
	if (!type)
		return -ENOENT;
	/* Sized by moat_target_lookup, which read the first name only. */
	if (ALIGN(type->size, 8) > r->ext_len - r->matches_end) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_A_TARGET_NAME], "one target name only");
		return -EINVAL;
	}
	if (type->table && strcmp(type->table, txn->t->def->name)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_A_TARGET_NAME],
				    "target not valid in this table");
		return -EINVAL;
	}
	memset(data, 0, sizeof(data));
	if (tb[MOAT_A_TARGET_DATA]) {
		err = nla_parse_nested(data, type->maxattr, tb[MOAT_A_TARGET_DATA],
				       type->policy, extack);
		if (err)
			return err;
	}
	err = type->parse(txn->t->net, moat_rule_tdata(r), data, r, extack);
	if (err)
		return err;
	/* From here on, freeing the rule releases what parse took. */
	r->kind = MOAT_T_EXT;
	r->ttype = type;
	return 0;
}

static int moat_target_parse(struct moat_txn *txn, struct moat_rule *r,
			     const struct nlattr *attr,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MOAT_A_TARGET_MAX + 1];
	const struct moat_txn_chain *tc;
	const struct nlattr *name;
	int err;

	err = nla_parse_nested(tb, MOAT_A_TARGET_MAX, attr, moat_target_policy, extack);
	if (err)
		return err;
	if (!!tb[MOAT_A_TARGET_VERDICT] + !!tb[MOAT_A_TARGET_JUMP] +
	    !!tb[MOAT_A_TARGET_GOTO] + !!tb[MOAT_A_TARGET_NAME] != 1) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "a target needs exactly one verdict, jump, goto or name");
		return -EINVAL;
	}
	if (tb[MOAT_A_TARGET_NAME])
		return moat_ext_target_parse(txn, r, tb, extack);
	if (tb[MOAT_A_TARGET_VERDICT]) {
		BUILD_BUG_ON((int)MOAT_T_ACCEPT != (int)MOAT_VERDICT_ACCEPT ||
			     (int)MOAT_T_DROP != (int)MOAT_VERDICT_DROP ||
			     (int)MOAT_T_RETURN != (int)MOAT_VERDICT_RETURN);
		r->kind = nla_get_u32(tb[MOAT_A_TARGET_VERDICT]);
		/* As iptables: nat does not filter (a policy may still drop). */
		if (r->kind == MOAT_T_DROP && txn->t->def->nat) {
			NL_SET_ERR_MSG_ATTR(extack, tb[MOAT_A_TARGET_VERDICT],
					    "no DROP in the nat table");
			return -EINVAL;
		}
		return 0;
	}
	name = tb[MOAT_A_TARGET_JUMP] ?: tb[MOAT_A_TARGET_GOTO];
	r->kind = tb[MOAT_A_TARGET_JUMP] ? MOAT_T_JUMP : MOAT_T_GOTO;
	tc = moat_txn_chain(txn, nla_data(name));
	if (!tc) {
		NL_SET_ERR_MSG_ATTR(extack, name, "no chain of that name");
		return -ENOENT;
	}
	r->chain = tc->c;
	if (r->chain->hook >= 0) {
		NL_SET_ERR_MSG_ATTR(extack, name, "cannot jump to a built-in chain");
		return -EINVAL;
	}
	return 0;
}

static __be32 moat_get_be32(const struct nlattr *attr)
{
	return attr ? nla_get_be32(attr) : 0;
}

static int moat_rule_fill(struct moat_txn *txn, struct moat_rule *r,
			  struct nlattr **tb, struct netlink_ext_ack *extack)
{
	struct moat_counter cnt;
	int err;

	r->src = moat_get_be32(tb[MOAT_A_RULE_SRC]);
	r->smsk = moat_get_be32(tb[MOAT_A_RULE_SRC_MASK]);
	r->dst = moat_get_be32(tb[MOAT_A_RULE_DST]);
	r->dmsk = moat_get_be32(tb[MOAT_A_RULE_DST_MASK]);
	/* Canonical, so that equal rules compare equal. */
	r->src &= r->smsk;
	r->dst &= r->dmsk;
	if (r->ifaces_len) {
		struct moat_ifaces *ifs = (struct moat_ifaces *)r->ext;

		err = moat_iface_set(ifs->iif, &ifs->iif_len, tb[MOAT_A_RULE_IIF], extack) ?:
		      moat_iface_set(ifs->oif, &ifs->oif_len, tb[MOAT_A_RULE_OIF], extack);
		if (err)
			return err;
	}
	r->proto = tb[MOAT_A_RULE_PROTO] ? nla_get_u16(tb[MOAT_A_RULE_PROTO]) : 0;
	r->flags = tb[MOAT_A_RULE_FLAGS] ? nla_get_u32(tb[MOAT_A_RULE_FLAGS]) : 0;
	r->inv = tb[MOAT_A_RULE_INV] ? nla_get_u32(tb[MOAT_A_RULE_INV]) : 0;
	if (tb[MOAT_A_RULE_MATCHES]) {
		err = moat_matches_parse(txn->t->net, r, tb[MOAT_A_RULE_MATCHES],
					 extack);
		if (err)
			return err;
	}
	if (tb[MOAT_A_RULE_TARGET]) {
		err = moat_target_parse(txn, r, tb[MOAT_A_RULE_TARGET], extack);
		if (err)
			return err;
	}
	err = moat_rule_counters_init(&r->cnt);
	if (err || !tb[MOAT_A_RULE_COUNTERS])
		return err;
	err = moat_counters_parse(tb[MOAT_A_RULE_COUNTERS], &cnt, extack);
	if (!err)
		moat_counters_set(&r->cnt, &cnt);
	return err;
}

struct moat_rule *moat_rule_parse(struct moat_txn *txn, const struct nlattr *attr,
				  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MOAT_A_RULE_MAX + 1];
	const struct moat_target_type *ttype;
	struct moat_rule *r;
	int err, size = 0, ifaces;

	err = nla_parse_nested(tb, MOAT_A_RULE_MAX, attr, moat_rule_policy, extack);
	if (err)
		return ERR_PTR(err);
	ifaces = tb[MOAT_A_RULE_IIF] || tb[MOAT_A_RULE_OIF] ? MOAT_IFACES_LEN : 0;
	if (tb[MOAT_A_RULE_MATCHES]) {
		size = moat_matches_size(tb[MOAT_A_RULE_MATCHES], extack);
		if (size < 0)
			return ERR_PTR(size);
	}
	ttype = moat_target_lookup(tb[MOAT_A_RULE_TARGET], extack);
	if (IS_ERR(ttype))
		return ERR_PTR(PTR_ERR(ttype));
	size += ifaces;
	/* Zeroed: rules are compared with memcmp, padding included. */
	r = kzalloc(struct_size(r, ext, size + (ttype ? ALIGN(ttype->size, 8) : 0)),
		    GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->ifaces_len = ifaces;
	r->matches_end = size;
	r->ext_len = size + (ttype ? ALIGN(ttype->size, 8) : 0);
	err = moat_rule_fill(txn, r, tb, extack);
	if (err) {
		moat_rule_free(r);
		return ERR_PTR(err);
	}
	r->hash = moat_rule_hash(r);
	return r;
}

/* Only the matches parse reached have a type: the rest is zeroes. */
static void moat_matches_destroy(struct moat_rule *r)
{
	struct moat_match *m;

	moat_for_each_match(m, r) {
		if (!m->type)
			break;
		if (m->type->destroy)
			m->type->destroy(m->priv);
	}
}

void moat_rule_free(struct moat_rule *r)
{
	moat_matches_destroy(r);
	if (r->kind == MOAT_T_EXT && r->ttype->destroy)
		r->ttype->destroy(moat_rule_tdata(r));
	moat_rule_counters_free(&r->cnt);
	kfree(r);
}

static int moat_ext_target_dump(struct sk_buff *skb, const struct moat_rule *r)
{
	struct nlattr *data;

	if (nla_put_string(skb, MOAT_A_TARGET_NAME, r->ttype->name))
		return -EMSGSIZE;
	data = nla_nest_start(skb, MOAT_A_TARGET_DATA);
	if (!data || r->ttype->dump(skb, moat_rule_tdata(r)))
		return -EMSGSIZE;
	nla_nest_end(skb, data);
	return 0;
}

static int moat_target_dump(struct sk_buff *skb, const struct moat_rule *r)
{
	struct nlattr *nest;
	int err;

	if (r->kind == MOAT_T_NONE)
		return 0;
	nest = nla_nest_start(skb, MOAT_A_RULE_TARGET);
	if (!nest)
		return -EMSGSIZE;
	if (r->kind == MOAT_T_JUMP || r->kind == MOAT_T_GOTO)
		err = nla_put_string(skb, r->kind == MOAT_T_JUMP ?
				     MOAT_A_TARGET_JUMP : MOAT_A_TARGET_GOTO,
				     r->chain->name);
	else if (r->kind == MOAT_T_EXT)
		err = moat_ext_target_dump(skb, r);
	else
		err = nla_put_u32(skb, MOAT_A_TARGET_VERDICT, r->kind);
	if (err)
		return err;
	nla_nest_end(skb, nest);
	return 0;
}

static int moat_matches_dump(struct sk_buff *skb, const struct moat_rule *r)
{
	struct nlattr *all, *one, *data;
	const struct moat_match *m;

	if (!moat_rule_has_matches(r))
		return 0;
	all = nla_nest_start(skb, MOAT_A_RULE_MATCHES);
	if (!all)
		return -EMSGSIZE;
	moat_for_each_match(m, r) {
		one = nla_nest_start(skb, MOAT_A_MATCH);
		if (!one || nla_put_string(skb, MOAT_A_MATCH_NAME, m->type->name))
			return -EMSGSIZE;
		data = nla_nest_start(skb, MOAT_A_MATCH_DATA);
		if (!data || m->type->dump(skb, m->priv))
			return -EMSGSIZE;
		nla_nest_end(skb, data);
		nla_nest_end(skb, one);
	}
	nla_nest_end(skb, all);
	return 0;
}

static int moat_ifaces_dump(struct sk_buff *skb, const struct moat_ifaces *ifs)
{
	if (!ifs)
		return 0;
	if (ifs->iif[0] && nla_put_string(skb, MOAT_A_RULE_IIF, ifs->iif))
		return -EMSGSIZE;
	if (ifs->oif[0] && nla_put_string(skb, MOAT_A_RULE_OIF, ifs->oif))
		return -EMSGSIZE;
	return 0;
}

static int moat_selectors_dump(struct sk_buff *skb, const struct moat_rule *r)
{
	if (r->smsk && (nla_put_be32(skb, MOAT_A_RULE_SRC, r->src) ||
			nla_put_be32(skb, MOAT_A_RULE_SRC_MASK, r->smsk)))
		return -EMSGSIZE;
	if (r->dmsk && (nla_put_be32(skb, MOAT_A_RULE_DST, r->dst) ||
			nla_put_be32(skb, MOAT_A_RULE_DST_MASK, r->dmsk)))
		return -EMSGSIZE;
	if (moat_ifaces_dump(skb, moat_rule_ifaces(r)))
		return -EMSGSIZE;
	if (r->proto && nla_put_u16(skb, MOAT_A_RULE_PROTO, r->proto))
		return -EMSGSIZE;
	if (r->flags && nla_put_u32(skb, MOAT_A_RULE_FLAGS, r->flags))
		return -EMSGSIZE;
	if (r->inv && nla_put_u32(skb, MOAT_A_RULE_INV, r->inv))
		return -EMSGSIZE;
	return 0;
}

int moat_rule_dump(struct sk_buff *skb, const struct moat_rule *r)
{
	struct nlattr *nest = nla_nest_start(skb, MOAT_A_RULE);

	if (!nest || moat_selectors_dump(skb, r) || moat_matches_dump(skb, r) ||
	    moat_target_dump(skb, r) ||
	    moat_counters_put(skb, MOAT_A_RULE_COUNTERS, &r->cnt))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * As iptables: no output interface in PREROUTING and INPUT, where packets
 * have none yet, nor an input one in OUTPUT and POSTROUTING; user chains
 * may have either.  @hook is the chain's, -1 for a user chain.
 */
int moat_rule_chain_check(const struct moat_rule *r, int hook,
			  struct netlink_ext_ack *extack)
{
	const struct moat_ifaces *ifs = moat_rule_ifaces(r);

	if (!ifs)
		return 0;
	if (ifs->oif[0] && (hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_IN)) {
		NL_SET_ERR_MSG(extack, "no output interface in PREROUTING or INPUT");
		return -EINVAL;
	}
	if (ifs->iif[0] && (hook == NF_INET_LOCAL_OUT || hook == NF_INET_POST_ROUTING)) {
		NL_SET_ERR_MSG(extack, "no input interface in OUTPUT or POSTROUTING");
		return -EINVAL;
	}
	return 0;
}

/* The hooks every match and the target of @r are valid in. */
unsigned int moat_rule_hooks(const struct moat_rule *r)
{
	unsigned int hooks = (1 << NF_INET_NUMHOOKS) - 1;
	const struct moat_match *m;

	moat_for_each_match(m, r)
		if (m->type->hooks)
			hooks &= m->type->hooks;
	if (r->kind == MOAT_T_EXT && r->ttype->hooks)
		hooks &= r->ttype->hooks;
	return hooks;
}
