// SPDX-License-Identifier: GPL-2.0
/* moat: a table as the kernel dumps it: chains, then their rules. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/moat.h>
#include "table.h"

/* A dump racing with changes restarts; this many times, then EAGAIN. */
#define MOAT_DUMP_TRIES 16

struct chain_msg {
	const struct nlattr *tb[MOAT_A_MAX + 1];
};

static int top_attr_cb(const struct nlattr *attr, void *data)
{
	struct chain_msg *m = data;
	int type = mnl_attr_get_type(attr);

	/* Unknown attributes from a newer module are skipped. */
	if (type <= MOAT_A_MAX)
		m->tb[type] = attr;
	return MNL_CB_OK;
}

struct counters {
	uint64_t packets, bytes;
};

static int counters_cb(const struct nlattr *attr, void *data)
{
	struct counters *c = data;

	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return MNL_CB_OK;
	if (mnl_attr_get_type(attr) == MOAT_A_COUNTERS_PACKETS)
		c->packets = mnl_attr_get_u64(attr);
	else if (mnl_attr_get_type(attr) == MOAT_A_COUNTERS_BYTES)
		c->bytes = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

static int add_chain(struct moat_table_dump *d, const char *name,
		     const struct chain_msg *m)
{
	struct moat_chain_info *c, *chains;
	struct counters cnt = { 0, 0 };

	chains = realloc(d->chains, (d->n + 1) * sizeof(*chains));
	if (!chains)
		return -ENOMEM;
	d->chains = chains;
	c = &chains[d->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->builtin = m->tb[MOAT_A_CHAIN_HOOK] != NULL;
	if (m->tb[MOAT_A_CHAIN_POLICY] &&
	    mnl_attr_validate(m->tb[MOAT_A_CHAIN_POLICY], MNL_TYPE_U32) == 0)
		c->policy = mnl_attr_get_u32(m->tb[MOAT_A_CHAIN_POLICY]);
	if (m->tb[MOAT_A_CHAIN_REFS] &&
	    mnl_attr_validate(m->tb[MOAT_A_CHAIN_REFS], MNL_TYPE_U32) == 0)
		c->refs = mnl_attr_get_u32(m->tb[MOAT_A_CHAIN_REFS]);
	if (m->tb[MOAT_A_CHAIN_COUNTERS] &&
	    mnl_attr_validate(m->tb[MOAT_A_CHAIN_COUNTERS], MNL_TYPE_NESTED) == 0)
		mnl_attr_parse_nested(m->tb[MOAT_A_CHAIN_COUNTERS], counters_cb, &cnt);
	c->packets = cnt.packets;
	c->bytes = cnt.bytes;
	return 0;
}

static int add_rule(struct moat_table_dump *d, const char *chain,
		    const struct nlattr *attr)
{
	struct moat_chain_info *c = moat_table_chain(d, chain);
	struct moat_rule **rules, *r;
	int err;

	if (!c)
		return -EPROTO;
	err = moat_rule_decode(attr, &r);
	if (err)
		return err;
	rules = realloc(c->rules, (c->n_rules + 1) * sizeof(*rules));
	if (!rules) {
		moat_rule_free(r);
		return -ENOMEM;
	}
	c->rules = rules;
	c->rules[c->n_rules++] = r;
	return 0;
}

int moat_table_parse_msg(const struct nlmsghdr *nlh, void *data)
{
	struct moat_table_dump *d = data;
	struct chain_msg m;
	const char *name;
	int err;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->interrupted = true;
	memset(&m, 0, sizeof(m));
	if (mnl_attr_parse(nlh, GENL_HDRLEN, top_attr_cb, &m) < 0 ||
	    !m.tb[MOAT_A_CHAIN_NAME] ||
	    mnl_attr_validate(m.tb[MOAT_A_CHAIN_NAME], MNL_TYPE_NUL_STRING) < 0 ||
	    mnl_attr_get_payload_len(m.tb[MOAT_A_CHAIN_NAME]) > MOAT_NAME_LEN) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	name = mnl_attr_get_str(m.tb[MOAT_A_CHAIN_NAME]);
	err = m.tb[MOAT_A_RULE] ? add_rule(d, name, m.tb[MOAT_A_RULE]) :
				  add_chain(d, name, &m);
	if (err) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

void moat_table_dump_free(struct moat_table_dump *d)
{
	size_t i, j;

	for (i = 0; i < d->n; i++) {
		for (j = 0; j < d->chains[i].n_rules; j++)
			moat_rule_free(d->chains[i].rules[j]);
		free(d->chains[i].rules);
	}
	free(d->chains);
	memset(d, 0, sizeof(*d));
}

struct moat_chain_info *moat_table_chain(struct moat_table_dump *d,
					 const char *name)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->chains[i].name, name) == 0)
			return &d->chains[i];
	return NULL;
}

int moat_table_fetch(struct moat_nl *nl, const char *table,
		     struct moat_table_dump *d)
{
	char buf[MOAT_NL_BUF];
	struct nlmsghdr *nlh;
	int tries, err;

	for (tries = 0; tries < MOAT_DUMP_TRIES; tries++) {
		memset(d, 0, sizeof(*d));
		nlh = moat_nl_request(nl, buf, MOAT_CMD_GET_TABLE, NLM_F_DUMP);
		mnl_attr_put_strz(nlh, MOAT_A_TABLE_NAME, table);
		err = moat_nl_talk(nl, nlh, moat_table_parse_msg, d);
		if (!err && !d->interrupted)
			return 0;
		moat_table_dump_free(d);
		if (err)
			return err;
	}
	return -EAGAIN;
}

int moat_chain_exists(struct moat_nl *nl, const char *table, const char *chain)
{
	char buf[MOAT_NL_BUF];
	struct nlmsghdr *nlh;
	int err;

	nlh = moat_nl_request(nl, buf, MOAT_CMD_GET_CHAIN, 0);
	mnl_attr_put_strz(nlh, MOAT_A_TABLE_NAME, table);
	mnl_attr_put_strz(nlh, MOAT_A_CHAIN_NAME, chain);
	err = moat_nl_talk(nl, nlh, NULL, NULL);
	if (err == -ENOENT)
		return 0;
	return err ? err : 1;
}
