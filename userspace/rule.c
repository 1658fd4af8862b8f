// SPDX-License-Identifier: GPL-2.0
/* moat: one rule as the tool holds it, and its MOAT_A_RULE form. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ext.h"
#include "rule.h"

static const char *const verdict_names[] = {
	[MOAT_VERDICT_ACCEPT] = "ACCEPT",
	[MOAT_VERDICT_DROP] = "DROP",
	[MOAT_VERDICT_RETURN] = "RETURN",
};

const char *moat_verdict_name(uint32_t verdict)
{
	if (verdict == MOAT_VERDICT_UNSPEC || verdict > MOAT_VERDICT_MAX)
		return NULL;
	return verdict_names[verdict];
}

uint32_t moat_verdict_parse(const char *name)
{
	uint32_t v;

	for (v = MOAT_VERDICT_UNSPEC + 1; v <= MOAT_VERDICT_MAX; v++)
		if (strcmp(verdict_names[v], name) == 0)
			return v;
	return MOAT_VERDICT_UNSPEC;
}

const char *moat_rule_target_name(const struct moat_rule *r)
{
	switch (r->target) {
	case MOAT_TARGET_VERDICT:
		return moat_verdict_name(r->verdict);
	case MOAT_TARGET_EXT:
		if (r->text && r->text->list_name)
			return r->text->list_name;
		return r->chain;
	case MOAT_TARGET_JUMP:
	case MOAT_TARGET_GOTO:
		return r->chain;
	default:
		return "";
	}
}

struct moat_rule *moat_rule_alloc(void)
{
	return calloc(1, sizeof(struct moat_rule));
}

void moat_rule_free(struct moat_rule *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_matches; i++)
		free(r->matches[i].data);
	free(r->matches);
	free(r->tdata);
	free(r);
}

/* Zeroed, so that equal rules encode equal: the kernel compares bytes. */
static void *ext_data(const struct moat_ext *ext)
{
	void *data;

	if (!ext)
		return NULL;
	data = calloc(1, ext->size);
	if (data && ext->init)
		ext->init(data);
	return data;
}

int moat_rule_set_target(struct moat_rule *r, const char *name,
			 const struct moat_ext *ext)
{
	void *data = ext_data(ext);

	if (ext && !data)
		return -ENOMEM;
	free(r->tdata);
	r->target = MOAT_TARGET_EXT;
	snprintf(r->chain, sizeof(r->chain), "%s", name);
	r->text = ext;
	r->tdata = data;
	r->tseen = 0;
	return 0;
}

static struct moat_match *add_match(struct moat_rule *r, const char *name,
				    const struct moat_ext *ext)
{
	struct moat_match *m;
	void *data = ext_data(ext);

	if (ext && !data)
		return NULL;
	m = realloc(r->matches, (r->n_matches + 1) * sizeof(*m));
	if (!m) {
		free(data);
		return NULL;
	}
	r->matches = m;
	m = &r->matches[r->n_matches++];
	memset(m, 0, sizeof(*m));
	memcpy(m->name, name, strnlen(name, sizeof(m->name) - 1));
	m->ext = ext;
	m->data = data;
	return m;
}

struct moat_match *moat_rule_add_match(struct moat_rule *r,
				       const struct moat_ext *ext)
{
	return add_match(r, ext->name, ext);
}

struct moat_rule *moat_rule_clone(const struct moat_rule *r)
{
	struct moat_rule *c = moat_rule_alloc();
	struct moat_match *m;
	size_t i;

	if (!c)
		return NULL;
	*c = *r;
	c->matches = NULL;
	c->n_matches = 0;
	c->tdata = NULL;
	if (r->tdata) {
		c->tdata = malloc(r->text->size);
		if (!c->tdata) {
			moat_rule_free(c);
			return NULL;
		}
		memcpy(c->tdata, r->tdata, r->text->size);
	}
	for (i = 0; i < r->n_matches; i++) {
		m = add_match(c, r->matches[i].name, r->matches[i].ext);
		if (!m) {
			moat_rule_free(c);
			return NULL;
		}
		m->seen = r->matches[i].seen;
		if (m->ext)
			memcpy(m->data, r->matches[i].data, m->ext->size);
	}
	return c;
}

/*
 * Encoding.
 */

static int encode_match(struct nlmsghdr *nlh, size_t buflen,
			const struct moat_match *m)
{
	struct nlattr *match, *data;
	int err;

	/* A match we cannot encode would silently change the rule. */
	if (!m->ext)
		return -EOPNOTSUPP;
	match = mnl_attr_nest_start_check(nlh, buflen, MOAT_A_MATCH);
	if (!match ||
	    !mnl_attr_put_strz_check(nlh, buflen, MOAT_A_MATCH_NAME, m->name))
		return -EMSGSIZE;
	data = mnl_attr_nest_start_check(nlh, buflen, MOAT_A_MATCH_DATA);
	if (!data)
		return -EMSGSIZE;
	err = m->ext->encode(nlh, buflen, m->data);
	if (err)
		return err;
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, match);
	return 0;
}

static int encode_matches(struct nlmsghdr *nlh, size_t buflen,
			  const struct moat_rule *r)
{
	struct nlattr *nest;
	size_t i;
	int err;

	if (!r->n_matches)
		return 0;
	nest = mnl_attr_nest_start_check(nlh, buflen, MOAT_A_RULE_MATCHES);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < r->n_matches; i++) {
		err = encode_match(nlh, buflen, &r->matches[i]);
		if (err)
			return err;
	}
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

static int encode_ext_target(struct nlmsghdr *nlh, size_t buflen,
			     const struct moat_rule *r)
{
	struct nlattr *data;
	int err;

	/* A target we cannot encode would silently change the rule. */
	if (!r->text)
		return -EOPNOTSUPP;
	if (!mnl_attr_put_strz_check(nlh, buflen, MOAT_A_TARGET_NAME, r->chain))
		return -EMSGSIZE;
	data = mnl_attr_nest_start_check(nlh, buflen, MOAT_A_TARGET_DATA);
	if (!data)
		return -EMSGSIZE;
	err = r->text->encode(nlh, buflen, r->tdata);
	if (err)
		return err;
	mnl_attr_nest_end(nlh, data);
	return 0;
}

/* A verdict, or a jump or goto to r->chain. */
static bool encode_builtin_target(struct nlmsghdr *nlh, size_t buflen,
				  const struct moat_rule *r)
{
	if (r->target == MOAT_TARGET_VERDICT)
		return mnl_attr_put_u32_check(nlh, buflen,
					      MOAT_A_TARGET_VERDICT, r->verdict);
	return mnl_attr_put_strz_check(nlh, buflen,
				       r->target == MOAT_TARGET_JUMP ?
				       MOAT_A_TARGET_JUMP : MOAT_A_TARGET_GOTO,
				       r->chain);
}

static int encode_target(struct nlmsghdr *nlh, size_t buflen,
			 const struct moat_rule *r)
{
	struct nlattr *nest;
	int err;

	if (r->target == MOAT_TARGET_NONE)
		return 0;
	nest = mnl_attr_nest_start_check(nlh, buflen, MOAT_A_RULE_TARGET);
	if (!nest)
		return -EMSGSIZE;
	if (r->target == MOAT_TARGET_EXT)
		err = encode_ext_target(nlh, buflen, r);
	else
		err = encode_builtin_target(nlh, buflen, r) ? 0 : -EMSGSIZE;
	if (err)
		return err;
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

static int encode_counters(struct nlmsghdr *nlh, size_t buflen,
			   const struct moat_rule *r)
{
	struct nlattr *nest;

	if (!r->has_counters)
		return 0;
	nest = mnl_attr_nest_start_check(nlh, buflen, MOAT_A_RULE_COUNTERS);
	if (!nest ||
	    !mnl_attr_put_u64_check(nlh, buflen, MOAT_A_COUNTERS_PACKETS,
				    r->packets) ||
	    !mnl_attr_put_u64_check(nlh, buflen, MOAT_A_COUNTERS_BYTES,
				    r->bytes))
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

/* @v as attribute @type, unless it is 0: the module reads a missing one
 * as 0, and a restore of many rules sends, and validates, fewer. */
static bool put_u32_nonzero(struct nlmsghdr *nlh, size_t buflen,
			    uint16_t type, uint32_t v)
{
	return !v || mnl_attr_put_u32_check(nlh, buflen, type, v);
}

static bool encode_core(struct nlmsghdr *nlh, size_t buflen,
			const struct moat_rule *r)
{
	return put_u32_nonzero(nlh, buflen, MOAT_A_RULE_SRC, r->src) &&
	       put_u32_nonzero(nlh, buflen, MOAT_A_RULE_SRC_MASK, r->src_mask) &&
	       put_u32_nonzero(nlh, buflen, MOAT_A_RULE_DST, r->dst) &&
	       put_u32_nonzero(nlh, buflen, MOAT_A_RULE_DST_MASK, r->dst_mask) &&
	       (!r->iif[0] || mnl_attr_put_strz_check(nlh, buflen,
						      MOAT_A_RULE_IIF,
						      r->iif)) &&
	       (!r->oif[0] || mnl_attr_put_strz_check(nlh, buflen,
						      MOAT_A_RULE_OIF,
						      r->oif)) &&
	       (!r->proto || mnl_attr_put_u16_check(nlh, buflen,
						    MOAT_A_RULE_PROTO, r->proto)) &&
	       put_u32_nonzero(nlh, buflen, MOAT_A_RULE_FLAGS, r->flags) &&
	       put_u32_nonzero(nlh, buflen, MOAT_A_RULE_INV, r->inv);
}

int moat_rule_encode(struct nlmsghdr *nlh, size_t buflen,
		     const struct moat_rule *r)
{
	struct nlattr *nest;
	int err;

	nest = mnl_attr_nest_start_check(nlh, buflen, MOAT_A_RULE);
	if (!nest || !encode_core(nlh, buflen, r))
		return -EMSGSIZE;
	err = encode_matches(nlh, buflen, r);
	if (!err)
		err = encode_target(nlh, buflen, r);
	if (!err)
		err = encode_counters(nlh, buflen, r);
	if (err)
		return err;
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

/*
 * Decoding: everything the kernel sends is checked before use.
 */

static int attr_str(const struct nlattr *a, char *dst, size_t size)
{
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 ||
	    strlen(mnl_attr_get_str(a)) >= size)
		return -EINVAL;
	strcpy(dst, mnl_attr_get_str(a));
	return 0;
}

static int attr_u64(const struct nlattr *a, uint64_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
		return -EINVAL;
	*v = mnl_attr_get_u64(a);
	return 0;
}

static int attr_nest(const struct nlattr *a)
{
	return mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ? -EINVAL : 0;
}

static int decode_match(const struct nlattr *nest, struct moat_rule *r)
{
	const struct nlattr *a, *data = NULL;
	char name[MOAT_NAME_LEN] = "";
	struct moat_match *m;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == MOAT_A_MATCH_NAME) {
			if (attr_str(a, name, sizeof(name)))
				return -EINVAL;
		} else if (mnl_attr_get_type(a) == MOAT_A_MATCH_DATA) {
			if (attr_nest(a))
				return -EINVAL;
			data = a;
		}
	}
	if (!name[0])
		return -EINVAL;
	m = add_match(r, name, moat_ext_find(name));
	if (!m)
		return -ENOMEM;
	if (m->ext && data)
		return m->ext->decode(data, m->data);
	return 0;
}

static int decode_matches(const struct nlattr *nest, struct moat_rule *r)
{
	const struct nlattr *a;
	int err;

	if (attr_nest(nest))
		return -EINVAL;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != MOAT_A_MATCH)
			continue;
		if (attr_nest(a))
			return -EINVAL;
		err = decode_match(a, r);
		if (err)
			return err;
	}
	return 0;
}

static int decode_target_attr(const struct nlattr *a, struct moat_rule *r)
{
	switch (mnl_attr_get_type(a)) {
	case MOAT_A_TARGET_VERDICT:
		r->target = MOAT_TARGET_VERDICT;
		if (moat_attr_u32(a, &r->verdict) ||
		    !moat_verdict_name(r->verdict))
			return -EINVAL;
		return 0;
	case MOAT_A_TARGET_JUMP:
		r->target = MOAT_TARGET_JUMP;
		return attr_str(a, r->chain, sizeof(r->chain));
	case MOAT_A_TARGET_GOTO:
		r->target = MOAT_TARGET_GOTO;
		return attr_str(a, r->chain, sizeof(r->chain));
	}
	return 0;
}

static int decode_ext_target(const struct nlattr *name,
			     const struct nlattr *data, struct moat_rule *r)
{
	char buf[MOAT_NAME_LEN];

	if (attr_str(name, buf, sizeof(buf)) || (data && attr_nest(data)))
		return -EINVAL;
	if (moat_rule_set_target(r, buf, moat_target_find(buf)))
		return -ENOMEM;
	if (r->text && data)
		return r->text->decode(data, r->tdata);
	return 0;
}

static int decode_target(const struct nlattr *nest, struct moat_rule *r)
{
	const struct nlattr *a, *name = NULL, *data = NULL;
	int err;

	if (attr_nest(nest))
		return -EINVAL;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == MOAT_A_TARGET_NAME)
			name = a;
		else if (mnl_attr_get_type(a) == MOAT_A_TARGET_DATA)
			data = a;
		err = decode_target_attr(a, r);
		if (err)
			return err;
	}
	return name ? decode_ext_target(name, data, r) : 0;
}

static int decode_counters(const struct nlattr *nest, struct moat_rule *r)
{
	const struct nlattr *a;
	int err = 0;

	if (attr_nest(nest))
		return -EINVAL;
	r->has_counters = true;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == MOAT_A_COUNTERS_PACKETS)
			err = attr_u64(a, &r->packets);
		else if (mnl_attr_get_type(a) == MOAT_A_COUNTERS_BYTES)
			err = attr_u64(a, &r->bytes);
		if (err)
			return err;
	}
	return 0;
}

static int decode_rule_attr(const struct nlattr *a, struct moat_rule *r)
{
	uint32_t v;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_RULE_SRC:
		return moat_attr_u32(a, &r->src);
	case MOAT_A_RULE_SRC_MASK:
		return moat_attr_u32(a, &r->src_mask);
	case MOAT_A_RULE_DST:
		return moat_attr_u32(a, &r->dst);
	case MOAT_A_RULE_DST_MASK:
		return moat_attr_u32(a, &r->dst_mask);
	case MOAT_A_RULE_IIF:
		return attr_str(a, r->iif, sizeof(r->iif));
	case MOAT_A_RULE_OIF:
		return attr_str(a, r->oif, sizeof(r->oif));
	case MOAT_A_RULE_PROTO:
		return moat_attr_u16(a, &r->proto);
	case MOAT_A_RULE_FLAGS:
		return moat_attr_u32(a, &r->flags);
	case MOAT_A_RULE_INV:
		if (moat_attr_u32(a, &v))
			return -EINVAL;
		r->inv = v;
		return 0;
	case MOAT_A_RULE_MATCHES:
		return decode_matches(a, r);
	case MOAT_A_RULE_TARGET:
		return decode_target(a, r);
	case MOAT_A_RULE_COUNTERS:
		return decode_counters(a, r);
	}
	return 0;	/* from a newer kernel: skipped */
}

int moat_rule_decode(const struct nlattr *rule_nest, struct moat_rule **out)
{
	struct moat_rule *r;
	const struct nlattr *a;
	int err;

	if (attr_nest(rule_nest))
		return -EINVAL;
	r = moat_rule_alloc();
	if (!r)
		return -ENOMEM;
	mnl_attr_for_each_nested(a, rule_nest) {
		err = decode_rule_attr(a, r);
		if (err) {
			moat_rule_free(r);
			return err;
		}
	}
	*out = r;
	return 0;
}
