// SPDX-License-Identifier: GPL-2.0
/* moat: the Generic Netlink family; see include/uapi/linux/moat.h. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/moat.h>
#include "moat.h"

static struct genl_family moat_family;

/* GET_INFO takes no attributes: an empty policy rejects any. */
static const struct nla_policy moat_info_policy[MOAT_A_MAX + 1] = {
};

#define MOAT_NAME_POLICY { .type = NLA_NUL_STRING, .len = MOAT_NAME_LEN - 1 }

static const struct nla_policy moat_table_policy[MOAT_A_MAX + 1] = {
	[MOAT_A_TABLE_NAME] = MOAT_NAME_POLICY,
	[MOAT_A_CHAIN_NAME] = MOAT_NAME_POLICY,
	[MOAT_A_CHAIN_NEWNAME] = MOAT_NAME_POLICY,
	[MOAT_A_CHAIN_POLICY] = NLA_POLICY_RANGE(NLA_U32, MOAT_VERDICT_ACCEPT,
						 MOAT_VERDICT_DROP),
	[MOAT_A_CHAIN_COUNTERS] = { .type = NLA_NESTED },
	[MOAT_A_RULE] = { .type = NLA_NESTED },
	[MOAT_A_RULE_POS] = NLA_POLICY_MIN(NLA_U32, 1),
	[MOAT_A_TXN_FLAGS] = NLA_POLICY_MASK(NLA_U32, MOAT_TXN_F_ALL),
};

/*
 * The table created just before @after (NULL: the newest): iptables-save
 * lists the tables newest first, so the same listing here saves the same.
 */
static struct moat_table *moat_info_next(struct moat_net *mn,
					 const struct moat_table *after)
{
	struct moat_table *best = NULL, *t;
	int i;

	for (i = 0; i < MOAT_MAX_TABLES; i++) {
		t = mn->tables[i];
		if (!t || (after && t->seq >= after->seq))
			continue;
		if (!best || t->seq > best->seq)
			best = t;
	}
	return best;
}

static int moat_fill_info(struct sk_buff *skb, struct moat_net *mn)
{
	struct moat_table *t;
	struct nlattr *tables;

	if (nla_put_string(skb, MOAT_A_VERSION, MOAT_VERSION))
		return -EMSGSIZE;
	tables = nla_nest_start(skb, MOAT_A_TABLES);
	if (!tables)
		return -EMSGSIZE;
	for (t = moat_info_next(mn, NULL); t; t = moat_info_next(mn, t))
		if (nla_put_string(skb, MOAT_A_TABLE_NAME, t->def->name))
			return -EMSGSIZE;
	nla_nest_end(skb, tables);
	return 0;
}

static int moat_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct moat_net *mn = moat_pernet(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &moat_family, 0, MOAT_CMD_GET_INFO);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}
	mutex_lock(&mn->lock);
	err = moat_fill_info(msg, mn);
	mutex_unlock(&mn->lock);
	if (err) {
		NL_SET_ERR_MSG(info->extack, "reply does not fit in a message");
		goto err_free;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

/* What every table command works on, resolved under the lock. */
struct moat_req {
	struct genl_info *info;
	struct nlattr **attrs;
	struct netlink_ext_ack *extack;
	struct moat_table *t;
	struct moat_txn *txn;
	struct moat_txn_chain *tc;	/* MOAT_A_CHAIN_NAME, staged */
	struct moat_chain *c;		/* MOAT_A_CHAIN_NAME, live */
	u32 pos;			/* MOAT_A_RULE_POS, 0 if absent */
};

typedef int (*moat_req_fn)(struct moat_req *req);

enum {
	MOAT_REQ_NEW_CHAIN = 1,		/* the chain is not looked up */
	MOAT_REQ_LIVE = 2,		/* acts on the live table, not staged */
};

/* The open transaction of this socket, or -EBUSY if another's. */
static int moat_req_txn(struct moat_req *req, u32 portid)
{
	struct moat_txn *txn = req->t->txn;

	if (txn && txn->portid != portid) {
		NL_SET_ERR_MSG(req->extack, "another socket has a transaction open on this table");
		return -EBUSY;
	}
	if (txn && txn->failed) {
		NL_SET_ERR_MSG(req->extack, "an earlier command of the transaction failed");
		return -ECANCELED;
	}
	req->txn = txn;
	return 0;
}

/* Looks up MOAT_A_CHAIN_NAME, staged or (MOAT_REQ_LIVE) live. */
static int moat_req_chain(struct moat_req *req, unsigned int flags)
{
	struct nlattr *chain = req->attrs[MOAT_A_CHAIN_NAME];

	if (!chain || (flags & MOAT_REQ_NEW_CHAIN))
		return 0;
	if (flags & MOAT_REQ_LIVE)
		req->c = moat_chain_find(req->t, nla_data(chain));
	else
		req->tc = moat_txn_chain(req->txn, nla_data(chain));
	if (req->c || req->tc)
		return 0;
	NL_SET_ERR_MSG_ATTR(req->extack, chain, "no chain of that name");
	return -ENOENT;
}

/*
 * Runs @fn under the namespace's lock on the table's staged state: in the
 * socket's open transaction, or in one of its own committed right after.
 */
static int moat_run(struct moat_req *req, moat_req_fn fn, unsigned int flags)
{
	u32 portid = req->info->snd_portid;
	bool implicit;
	int err;

	err = moat_req_txn(req, portid);
	if (err)
		return err;
	implicit = !req->txn && !(flags & MOAT_REQ_LIVE);
	if (implicit) {
		req->txn = moat_txn_begin(req->t, 0, false);
		if (!req->txn)
			return -ENOMEM;
	}
	err = moat_req_chain(req, flags) ?: fn(req);
	if (implicit)
		return err ? (moat_txn_abort(req->txn), err) :
			     moat_txn_commit(req->txn, req->extack);
	if (err && req->txn && !(flags & MOAT_REQ_LIVE))
		req->txn->failed = true;
	return err;
}

static int moat_do(struct genl_info *info, moat_req_fn fn, unsigned int flags)
{
	struct moat_net *mn = moat_pernet(genl_info_net(info));
	struct moat_req req = {
		.info = info,
		.attrs = info->attrs,
		.extack = info->extack,
	};
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MOAT_A_TABLE_NAME))
		return -EINVAL;
	if (info->attrs[MOAT_A_RULE_POS])
		req.pos = nla_get_u32(info->attrs[MOAT_A_RULE_POS]);
	mutex_lock(&mn->lock);
	req.t = moat_table_get(mn, nla_data(info->attrs[MOAT_A_TABLE_NAME]),
			       info->extack);
	err = PTR_ERR_OR_ZERO(req.t);
	if (!err)
		err = moat_run(&req, fn, flags);
	mutex_unlock(&mn->lock);
	return err;
}

/*
 * A user chain's name as iptables -N takes it, so that the chain saves and
 * restores: under 29 characters, one word, no leading "-" or "!" (a rule
 * line would read it as an option), not a verdict's name.
 */
static int moat_chain_name_check(const char *name,
				 struct netlink_ext_ack *extack)
{
	static const char *const verdicts[] = { "ACCEPT", "DROP", "QUEUE",
						"RETURN" };
	size_t i, n = strlen(name);

	if (!n || n > MOAT_CHAIN_NAME_MAX) {
		NL_SET_ERR_MSG(extack, "a chain name has 1 to 28 characters");
		return -EINVAL;
	}
	if (name[0] == '-' || name[0] == '!') {
		NL_SET_ERR_MSG(extack, "a chain name may not start with - or !");
		return -EINVAL;
	}
	if (!moat_word_ok(name)) {
		NL_SET_ERR_MSG(extack, "white space or a quote in a chain name");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(verdicts); i++) {
		if (!strcmp(name, verdicts[i])) {
			NL_SET_ERR_MSG(extack, "a chain may not be named as a verdict");
			return -EINVAL;
		}
	}
	return 0;
}

static int moat_req_new_chain(struct moat_req *req)
{
	const char *name = nla_data(req->attrs[MOAT_A_CHAIN_NAME]);

	return moat_chain_name_check(name, req->extack) ?:
	       moat_txn_new_chain(req->txn, name, req->extack);
}

static int moat_nl_new_chain(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, MOAT_A_CHAIN_NAME))
		return -EINVAL;
	return moat_do(info, moat_req_new_chain, MOAT_REQ_NEW_CHAIN);
}

static int moat_req_del_chain(struct moat_req *req)
{
	return moat_txn_del_chain(req->txn, req->tc, req->extack);
}

static int moat_nl_del_chain(struct sk_buff *skb, struct genl_info *info)
{
	return moat_do(info, moat_req_del_chain, 0);
}

static int moat_req_rename_chain(struct moat_req *req)
{
	const char *name = nla_data(req->attrs[MOAT_A_CHAIN_NEWNAME]);

	return moat_chain_name_check(name, req->extack) ?:
	       moat_txn_rename(req->txn, req->tc, name, req->extack);
}

static int moat_nl_rename_chain(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, MOAT_A_CHAIN_NAME) ||
	    GENL_REQ_ATTR_CHECK(info, MOAT_A_CHAIN_NEWNAME))
		return -EINVAL;
	return moat_do(info, moat_req_rename_chain, 0);
}

static int moat_req_set_policy(struct moat_req *req)
{
	struct nlattr *cattr = req->attrs[MOAT_A_CHAIN_COUNTERS];
	struct moat_counter cnt;
	int err;

	if (req->tc->c->hook < 0) {
		NL_SET_ERR_MSG(req->extack, "only built-in chains have a policy");
		return -ENOENT;
	}
	if (cattr) {
		err = moat_counters_parse(cattr, &cnt, req->extack);
		if (err)
			return err;
	}
	moat_txn_policy(req->txn, req->tc, nla_get_u32(req->attrs[MOAT_A_CHAIN_POLICY]),
			cattr ? &cnt : NULL);
	return 0;
}

static int moat_nl_set_policy(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, MOAT_A_CHAIN_NAME) ||
	    GENL_REQ_ATTR_CHECK(info, MOAT_A_CHAIN_POLICY))
		return -EINVAL;
	return moat_do(info, moat_req_set_policy, 0);
}

static struct moat_rule *moat_req_rule(struct moat_req *req)
{
	struct moat_rule *r;
	int err;

	r = moat_rule_parse(req->txn, req->attrs[MOAT_A_RULE], req->extack);
	if (IS_ERR(r))
		return r;
	err = moat_rule_chain_check(r, req->tc->c->hook, req->extack);
	if (err) {
		moat_rule_free(r);
		return ERR_PTR(err);
	}
	return r;
}

static int moat_req_new_rule(struct moat_req *req)
{
	struct moat_rule *r = moat_req_rule(req);
	u32 pos;

	if (IS_ERR(r))
		return PTR_ERR(r);
	pos = req->pos ? req->pos - 1 : moat_tc_rules(req->tc)->n;
	return moat_txn_insert(req->txn, req->tc, pos, r, req->extack);
}

static int moat_req_replace_rule(struct moat_req *req)
{
	struct moat_rule *r;

	if (!req->pos) {
		NL_SET_ERR_MSG(req->extack, "replace needs a rule position");
		return -EINVAL;
	}
	r = moat_req_rule(req);
	if (IS_ERR(r))
		return PTR_ERR(r);
	return moat_txn_replace(req->txn, req->tc, req->pos - 1, r, req->extack);
}

/* The 1-based position of the first rule equal to MOAT_A_RULE. */
static int moat_req_find(struct moat_req *req)
{
	struct moat_rule *r = moat_req_rule(req);
	int pos;

	if (IS_ERR(r))
		return PTR_ERR(r);
	pos = moat_txn_find(req->tc, r);
	moat_rule_free(r);
	if (pos < 0)
		NL_SET_ERR_MSG(req->extack, "no such rule in that chain");
	return pos < 0 ? pos : pos + 1;
}

static int moat_req_check_rule(struct moat_req *req)
{
	int pos = moat_req_find(req);

	return pos < 0 ? pos : 0;
}

static int moat_req_del_rule(struct moat_req *req)
{
	int pos = req->pos;

	if (!pos) {
		pos = moat_req_find(req);
		if (pos < 0)
			return pos;
	}
	return moat_txn_delete(req->txn, req->tc, pos - 1, req->extack);
}

/* Rule commands need a chain; those without a position need a rule. */
static int moat_nl_rule_cmd(struct genl_info *info, moat_req_fn fn,
			    bool need_rule)
{
	if (GENL_REQ_ATTR_CHECK(info, MOAT_A_CHAIN_NAME))
		return -EINVAL;
	if (need_rule && GENL_REQ_ATTR_CHECK(info, MOAT_A_RULE))
		return -EINVAL;
	return moat_do(info, fn, 0);
}

static int moat_nl_new_rule(struct sk_buff *skb, struct genl_info *info)
{
	return moat_nl_rule_cmd(info, moat_req_new_rule, true);
}

static int moat_nl_replace_rule(struct sk_buff *skb, struct genl_info *info)
{
	return moat_nl_rule_cmd(info, moat_req_replace_rule, true);
}

static int moat_nl_check_rule(struct sk_buff *skb, struct genl_info *info)
{
	return moat_nl_rule_cmd(info, moat_req_check_rule, true);
}

static int moat_nl_del_rule(struct sk_buff *skb, struct genl_info *info)
{
	return moat_nl_rule_cmd(info, moat_req_del_rule,
				!info->attrs[MOAT_A_RULE_POS]);
}

static int moat_req_flush(struct moat_req *req)
{
	return moat_txn_flush(req->txn, req->tc);
}

static int moat_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	return moat_do(info, moat_req_flush, 0);
}

/* Counters are not staged: -Z acts on the live rules at once. */
static int moat_req_zero(struct moat_req *req)
{
	struct moat_chain *c = req->c;

	if (req->pos && (!c || req->pos > c->rules->n)) {
		NL_SET_ERR_MSG(req->extack, "no rule at that position");
		return c ? -E2BIG : -EINVAL;
	}
	if (c) {
		moat_chain_zero(c, req->pos);
		return 0;
	}
	list_for_each_entry(c, &req->t->chains, list)
		moat_chain_zero(c, 0);
	return 0;
}

static int moat_nl_zero(struct sk_buff *skb, struct genl_info *info)
{
	return moat_do(info, moat_req_zero, MOAT_REQ_LIVE);
}

static int moat_req_begin(struct moat_req *req)
{
	u32 flags = 0;

	if (req->txn) {
		NL_SET_ERR_MSG(req->extack, "a transaction is already open");
		return -EBUSY;
	}
	if (req->attrs[MOAT_A_TXN_FLAGS])
		flags = nla_get_u32(req->attrs[MOAT_A_TXN_FLAGS]);
	req->txn = moat_txn_begin(req->t, req->info->snd_portid,
				  flags & MOAT_TXN_F_FLUSH);
	return req->txn ? 0 : -ENOMEM;
}

static int moat_nl_begin(struct sk_buff *skb, struct genl_info *info)
{
	return moat_do(info, moat_req_begin, MOAT_REQ_LIVE);
}

static int moat_req_end(struct moat_req *req, bool commit)
{
	struct moat_txn *txn = req->t->txn;

	/* ABORT must work on a failed transaction: no moat_req_txn here. */
	if (!txn || txn->portid != req->info->snd_portid) {
		NL_SET_ERR_MSG(req->extack, "no transaction open on this table");
		return -ENOENT;
	}
	if (commit)
		return moat_txn_commit(txn, req->extack);
	moat_txn_abort(txn);
	return 0;
}

static int moat_req_commit(struct moat_req *req)
{
	return moat_req_end(req, true);
}

static int moat_req_abort(struct moat_req *req)
{
	return moat_req_end(req, false);
}

static int moat_nl_end(struct genl_info *info, moat_req_fn fn)
{
	struct moat_net *mn = moat_pernet(genl_info_net(info));
	struct moat_req req = {
		.info = info,
		.attrs = info->attrs,
		.extack = info->extack,
	};
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MOAT_A_TABLE_NAME))
		return -EINVAL;
	mutex_lock(&mn->lock);
	req.t = moat_table_get(mn, nla_data(info->attrs[MOAT_A_TABLE_NAME]),
			       info->extack);
	err = PTR_ERR_OR_ZERO(req.t) ?: fn(&req);
	mutex_unlock(&mn->lock);
	return err;
}

static int moat_nl_commit(struct sk_buff *skb, struct genl_info *info)
{
	return moat_nl_end(info, moat_req_commit);
}

static int moat_nl_abort(struct sk_buff *skb, struct genl_info *info)
{
	return moat_nl_end(info, moat_req_abort);
}

/*
 * The table dump: chain messages, then rule messages.  cb->args[0] is the
 * phase, [1] the chain and [2] the rule to resume at.  cb->seq is the
 * table's generation, so a change between two parts marks the dump
 * interrupted and the tool starts over.
 */
enum { MOAT_DUMP_CHAINS, MOAT_DUMP_RULES, MOAT_DUMP_DONE };

static void *moat_dump_put(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct moat_chain *c)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, &moat_family, NLM_F_MULTI,
				MOAT_CMD_GET_TABLE);

	if (!hdr)
		return NULL;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_string(skb, MOAT_A_CHAIN_NAME, c->name)) {
		genlmsg_cancel(skb, hdr);
		return NULL;
	}
	return hdr;
}

static int moat_chain_fill(struct sk_buff *skb, const struct moat_chain *c)
{
	if (c->hook < 0)
		return nla_put_u32(skb, MOAT_A_CHAIN_REFS, c->refs);
	if (nla_put_u32(skb, MOAT_A_CHAIN_HOOK, c->hook) ||
	    nla_put_u32(skb, MOAT_A_CHAIN_POLICY, c->policy))
		return -EMSGSIZE;
	return moat_counters_put(skb, MOAT_A_CHAIN_COUNTERS, &c->policy_cnt);
}

/* Puts one message; returns false when @skb is full. */
static bool moat_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			  const struct moat_chain *c, const struct moat_rule *r)
{
	void *hdr = moat_dump_put(skb, cb, c);

	if (!hdr)
		return false;
	if (r ? moat_rule_dump(skb, r) : moat_chain_fill(skb, c)) {
		genlmsg_cancel(skb, hdr);
		return false;
	}
	genlmsg_end(skb, hdr);
	return true;
}

static int moat_dump_table(struct sk_buff *skb, struct netlink_callback *cb,
			   struct moat_table *t)
{
	unsigned long *phase = &cb->args[0], *ci = &cb->args[1], *ri = &cb->args[2];
	struct moat_cursor cur;
	struct moat_chain *c;
	unsigned long i = 0;

	cb->seq = t->generation;
	list_for_each_entry(c, &t->chains, list) {
		if (i++ < *ci)
			continue;
		if (*phase == MOAT_DUMP_CHAINS) {
			if (!moat_dump_one(skb, cb, c, NULL))
				return skb->len;
		} else {
			cur = MOAT_CURSOR_INIT;
			for (; *ri < c->rules->n; (*ri)++)
				if (!moat_dump_one(skb, cb, c,
						   moat_rules_get(c->rules, &cur, *ri)))
					return skb->len;
			*ri = 0;
		}
		(*ci)++;
	}
	(*phase)++;
	*ci = 0;
	return *phase == MOAT_DUMP_DONE ? skb->len : moat_dump_table(skb, cb, t);
}

static int moat_nl_get_table(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct moat_net *mn = moat_pernet(sock_net(skb->sk));
	struct nlattr *name = info->attrs[MOAT_A_TABLE_NAME];
	struct moat_table *t;
	int ret;

	if (cb->args[0] == MOAT_DUMP_DONE)
		return 0;
	if (!name) {
		NL_SET_ERR_MSG(cb->extack, "the dump needs a table name");
		return -EINVAL;
	}
	mutex_lock(&mn->lock);
	t = moat_table_get(mn, nla_data(name), cb->extack);
	ret = IS_ERR(t) ? PTR_ERR(t) : moat_dump_table(skb, cb, t);
	mutex_unlock(&mn->lock);
	return ret;
}

static int moat_req_get_chain(struct moat_req *req)
{
	struct genl_info *info = req->info;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &moat_family, 0, MOAT_CMD_GET_CHAIN);
	if (!hdr || nla_put_string(msg, MOAT_A_CHAIN_NAME, req->c->name) ||
	    moat_chain_fill(msg, req->c)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int moat_nl_get_chain(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, MOAT_A_CHAIN_NAME))
		return -EINVAL;
	return moat_do(info, moat_req_get_chain, MOAT_REQ_LIVE);
}

#define MOAT_TABLE_OP(_cmd, _fn) {					\
	.cmd = _cmd,							\
	.doit = _fn,							\
	.policy = moat_table_policy,					\
	.maxattr = MOAT_A_MAX,						\
	.flags = GENL_UNS_ADMIN_PERM,					\
}

static const struct genl_ops moat_ops[] = {
	{
		.cmd = MOAT_CMD_GET_INFO,
		.doit = moat_nl_get_info,
		.policy = moat_info_policy,
		.maxattr = MOAT_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MOAT_CMD_GET_TABLE,
		.dumpit = moat_nl_get_table,
		.policy = moat_table_policy,
		.maxattr = MOAT_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	MOAT_TABLE_OP(MOAT_CMD_NEW_CHAIN, moat_nl_new_chain),
	MOAT_TABLE_OP(MOAT_CMD_DEL_CHAIN, moat_nl_del_chain),
	MOAT_TABLE_OP(MOAT_CMD_RENAME_CHAIN, moat_nl_rename_chain),
	MOAT_TABLE_OP(MOAT_CMD_SET_POLICY, moat_nl_set_policy),
	MOAT_TABLE_OP(MOAT_CMD_NEW_RULE, moat_nl_new_rule),
	MOAT_TABLE_OP(MOAT_CMD_DEL_RULE, moat_nl_del_rule),
	MOAT_TABLE_OP(MOAT_CMD_REPLACE_RULE, moat_nl_replace_rule),
	MOAT_TABLE_OP(MOAT_CMD_CHECK_RULE, moat_nl_check_rule),
	MOAT_TABLE_OP(MOAT_CMD_FLUSH, moat_nl_flush),
	MOAT_TABLE_OP(MOAT_CMD_ZERO, moat_nl_zero),
	MOAT_TABLE_OP(MOAT_CMD_GET_CHAIN, moat_nl_get_chain),
	MOAT_TABLE_OP(MOAT_CMD_BEGIN, moat_nl_begin),
	MOAT_TABLE_OP(MOAT_CMD_COMMIT, moat_nl_commit),
	MOAT_TABLE_OP(MOAT_CMD_ABORT, moat_nl_abort),
};

static struct genl_family moat_family __ro_after_init = {
	.name = MOAT_GENL_NAME,
	.version = MOAT_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = moat_ops,
	.n_ops = ARRAY_SIZE(moat_ops),
};

/* A socket that goes away with a transaction open aborts it. */
static int moat_nl_release(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct netlink_notify *n = ptr;
	struct moat_net *mn;
	struct moat_table *t;
	int i;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	mn = moat_pernet(n->net);
	mutex_lock(&mn->lock);
	for (i = 0; i < MOAT_MAX_TABLES; i++) {
		t = mn->tables[i];
		if (t && t->txn && t->txn->portid == n->portid)
			moat_txn_abort(t->txn);
	}
	mutex_unlock(&mn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block moat_nl_notifier = {
	.notifier_call = moat_nl_release,
};

int __init moat_genl_init(void)
{
	int err = netlink_register_notifier(&moat_nl_notifier);

	if (err)
		return err;
	err = genl_register_family(&moat_family);
	if (err)
		netlink_unregister_notifier(&moat_nl_notifier);
	return err;
}

void moat_genl_exit(void)
{
	genl_unregister_family(&moat_family);
	netlink_unregister_notifier(&moat_nl_notifier);
}

MODULE_ALIAS_GENL_FAMILY(MOAT_GENL_NAME);
