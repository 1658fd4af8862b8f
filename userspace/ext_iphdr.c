// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the matches on IP header fields: "ttl", "tos" and "dscp", each an
 * option or two read by iptables' own parser.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

/* --- ttl ----------------------------------------------------------------- */

struct ttl {
	uint8_t mode, value;
};

enum { O_TTL_EQ, O_TTL_LT, O_TTL_GT };
#define F_TTL_ANY 0x7

static const struct moat_ext_opt ttl_opts[] = {
	{ "ttl-lt", required_argument, O_TTL_LT },
	{ "ttl-gt", required_argument, O_TTL_GT },
	{ "ttl-eq", required_argument, O_TTL_EQ },
	{ "ttl", required_argument, O_TTL_EQ },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule ttl_rules[] = {
	{ .name = "ttl-lt", .id = O_TTL_LT, .excl = F_TTL_ANY },
	{ .name = "ttl-gt", .id = O_TTL_GT, .excl = F_TTL_ANY },
	{ .name = "ttl-eq", .id = O_TTL_EQ, .excl = F_TTL_ANY, .invert = true },
	{ .name = NULL },
};

static void ttl_parse(int id, const char *arg, bool invert,
		      unsigned int *seen, void *data, int argc, char **argv)
{
	const char *name = moat_xt_rule(ttl_rules, id)->name;
	struct ttl *t = data;

	(void)argc;
	(void)argv;
	moat_xt_opt("ttl", ttl_rules, id, invert, seen);
	t->value = moat_xt_uint("ttl", name, arg, 0, 0xff);
	t->mode = id == O_TTL_LT ? MOAT_TTL_LT : id == O_TTL_GT ? MOAT_TTL_GT :
		  invert ? MOAT_TTL_NE : MOAT_TTL_EQ;
}

static void ttl_final_check(unsigned int seen)
{
	if (!seen)
		moat_param_die("TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt");
	moat_xt_fcheck("ttl", ttl_rules, seen);
}

static const char *const ttl_save_words[] = {
	[MOAT_TTL_EQ] = " --ttl-eq", [MOAT_TTL_NE] = " ! --ttl-eq",
	[MOAT_TTL_LT] = " --ttl-lt", [MOAT_TTL_GT] = " --ttl-gt",
};

static const char *const ttl_list_words[] = {
	[MOAT_TTL_EQ] = "==", [MOAT_TTL_NE] = "!=",
	[MOAT_TTL_LT] = "<", [MOAT_TTL_GT] = ">",
};

static void ttl_save(FILE *f, const void *data)
{
	const struct ttl *t = data;

	fprintf(f, "%s %u", ttl_save_words[t->mode & 3], t->value);
}

static void ttl_list(FILE *f, const void *data, bool numeric)
{
	const struct ttl *t = data;

	(void)numeric;
	fprintf(f, " TTL match TTL %s %u", ttl_list_words[t->mode & 3],
		t->value);
}

static int ttl_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct ttl *t = data;

	if (!mnl_attr_put_u8_check(nlh, buflen, MOAT_A_TTL_MODE, t->mode) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_TTL_VALUE, t->value))
		return -EMSGSIZE;
	return 0;
}

static int ttl_attr(const struct nlattr *a, void *data)
{
	struct ttl *t = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_TTL_MODE:
		return moat_attr_u8(a, &t->mode);
	case MOAT_A_TTL_VALUE:
		return moat_attr_u8(a, &t->value);
	}
	return 0;
}

static int ttl_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, ttl_attr);
}

const struct moat_ext moat_ext_ttl = {
	.name = "ttl",
	.size = sizeof(struct ttl),
	.opts = ttl_opts,
	.parse = ttl_parse,
	.final_check = ttl_final_check,
	.print_save = ttl_save,
	.print_list = ttl_list,
	.encode = ttl_encode,
	.decode = ttl_decode,
};

/* --- tos and dscp -------------------------------------------------------- */

struct tos {
	uint8_t value, mask;
	bool inv;
};

static const struct moat_ext_opt tos_opts[] = {
	{ "tos", required_argument, 0 },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule tos_rules[] = {
	{ .name = "tos", .id = 0, .invert = true, .mand = true },
	{ .name = NULL },
};

/* xtopt_parse_tosmask: value[/mask], or a name (mask 0x3f). */
static void tos_parse(int id, const char *arg, bool invert,
		      unsigned int *seen, void *data, int argc, char **argv)
{
	struct tos *t = data;

	(void)argc;
	(void)argv;
	moat_xt_opt("tos", tos_rules, id, invert, seen);
	if (invert)
		t->inv = true;
	moat_xt_tosmask(arg, 0x3f, &t->value, &t->mask);
}

static void tos_final_check(unsigned int seen)
{
	moat_xt_fcheck("tos", tos_rules, seen);
}

static void tos_save(FILE *f, const void *data)
{
	const struct tos *t = data;

	fprintf(f, "%s --tos 0x%02x/0x%02x", t->inv ? " !" : "", t->value,
		t->mask);
}

static void tos_list(FILE *f, const void *data, bool numeric)
{
	const struct tos *t = data;
	const char *name = moat_tos_name(t->value);

	/* No space after "match": iptables prints "tos match0x10/0xff". */
	fputs(t->inv ? " tos match!" : " tos match", f);
	if (!numeric && t->mask == 0x3f && name)
		fprintf(f, " %s", name);
	else
		fprintf(f, "0x%02x/0x%02x", t->value, t->mask);
}

static int tos_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct tos *t = data;

	if (!mnl_attr_put_u8_check(nlh, buflen, MOAT_A_TOS_VALUE, t->value) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_TOS_MASK, t->mask) ||
	    !moat_attr_put_flag(nlh, buflen, MOAT_A_TOS_INV, t->inv))
		return -EMSGSIZE;
	return 0;
}

static int dscp_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct tos *t = data;

	if (!mnl_attr_put_u8_check(nlh, buflen, MOAT_A_TOS_VALUE, t->value) ||
	    !moat_attr_put_flag(nlh, buflen, MOAT_A_TOS_INV, t->inv))
		return -EMSGSIZE;
	return 0;
}

static int tos_attr(const struct nlattr *a, void *data)
{
	struct tos *t = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_TOS_VALUE:
		return moat_attr_u8(a, &t->value);
	case MOAT_A_TOS_MASK:
		return moat_attr_u8(a, &t->mask);
	case MOAT_A_TOS_INV:
		t->inv = true;
	}
	return 0;
}

static int tos_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, tos_attr);
}

const struct moat_ext moat_ext_tos = {
	.name = "tos",
	.size = sizeof(struct tos),
	.opts = tos_opts,
	.parse = tos_parse,
	.final_check = tos_final_check,
	.print_save = tos_save,
	.print_list = tos_list,
	.encode = tos_encode,
	.decode = tos_decode,
};

enum { O_DSCP, O_DSCP_CLASS };

static const struct moat_ext_opt dscp_opts[] = {
	{ "dscp", required_argument, O_DSCP },
	{ "dscp-class", required_argument, O_DSCP_CLASS },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule dscp_rules[] = {
	{ .name = "dscp", .id = O_DSCP, .excl = 1u << O_DSCP_CLASS,
	  .invert = true },
	{ .name = "dscp-class", .id = O_DSCP_CLASS, .excl = 1u << O_DSCP,
	  .invert = true },
	{ .name = NULL },
};

static void dscp_parse(int id, const char *arg, bool invert,
		       unsigned int *seen, void *data, int argc, char **argv)
{
	struct tos *t = data;

	(void)argc;
	(void)argv;
	moat_xt_opt("dscp", dscp_rules, id, invert, seen);
	if (id == O_DSCP)
		t->value = moat_xt_uint("dscp", "dscp", arg, 0, 0x3f);
	else
		t->value = moat_dscp_class(arg);
	if (invert)
		t->inv = true;
}

static void dscp_final_check(unsigned int seen)
{
	if (!seen)
		moat_param_die("DSCP match: Parameter --dscp is required");
	moat_xt_fcheck("dscp", dscp_rules, seen);
}

static void dscp_save(FILE *f, const void *data)
{
	const struct tos *t = data;

	fprintf(f, "%s --dscp 0x%02x", t->inv ? " !" : "", t->value);
}

static void dscp_list(FILE *f, const void *data, bool numeric)
{
	const struct tos *t = data;

	(void)numeric;
	fprintf(f, " DSCP match %s0x%02x", t->inv ? "!" : "", t->value);
}

const struct moat_ext moat_ext_dscp = {
	.name = "dscp",
	.size = sizeof(struct tos),
	.opts = dscp_opts,
	.parse = dscp_parse,
	.final_check = dscp_final_check,
	.print_save = dscp_save,
	.print_list = dscp_list,
	.encode = dscp_encode,
	.decode = tos_decode,
};
