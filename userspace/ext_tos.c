// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the targets that rewrite the IP header in the mangle table:
 * "TOS" (revision 1: clear a mask, XOR a value), "DSCP" and "TTL".
 */
#include <errno.h>
#include <getopt.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

/* --- TOS ----------------------------------------------------------------- */

struct tos_t {
	uint8_t value, mask;
};

enum { O_SET_TOS, O_AND_TOS, O_OR_TOS, O_XOR_TOS };
#define F_TOS_ANY 0xf

static const struct moat_ext_opt tos_t_opts[] = {
	{ "set-tos", required_argument, O_SET_TOS },
	{ "and-tos", required_argument, O_AND_TOS },
	{ "or-tos", required_argument, O_OR_TOS },
	{ "xor-tos", required_argument, O_XOR_TOS },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule tos_t_rules[] = {
	{ .name = "set-tos", .id = O_SET_TOS, .excl = F_TOS_ANY },
	{ .name = "and-tos", .id = O_AND_TOS, .excl = F_TOS_ANY },
	{ .name = "or-tos", .id = O_OR_TOS, .excl = F_TOS_ANY },
	{ .name = "xor-tos", .id = O_XOR_TOS, .excl = F_TOS_ANY },
	{ .name = NULL },
};

static void tos_t_parse(int id, const char *arg, bool invert,
			unsigned int *seen, void *data, int argc, char **argv)
{
	struct tos_t *t = data;
	uint8_t v;

	(void)argc;
	(void)argv;
	moat_xt_opt("TOS", tos_t_rules, id, invert, seen);
	if (id == O_SET_TOS) {
		/* A name sets the 6 low bits only: mask 0x3f. */
		moat_xt_tosmask(arg, 0x3f, &t->value, &t->mask);
		return;
	}
	v = moat_xt_uint("TOS", moat_xt_rule(tos_t_rules, id)->name, arg, 0,
			 0xff);
	t->value = id == O_AND_TOS ? 0 : v;
	t->mask = id == O_AND_TOS ? (uint8_t)~v : id == O_OR_TOS ? v : 0;
}

static void tos_t_final_check(unsigned int seen)
{
	if (!(seen & F_TOS_ANY))
		moat_param_die("TOS: An action is required");
	moat_xt_fcheck("TOS", tos_t_rules, seen);
}

static void tos_t_save(FILE *f, const void *data)
{
	const struct tos_t *t = data;

	fprintf(f, " --set-tos 0x%02x/0x%02x", t->value, t->mask);
}

static void tos_t_list(FILE *f, const void *data, bool numeric)
{
	const struct tos_t *t = data;
	const char *name = moat_tos_name(t->value);

	if (numeric)
		fprintf(f, " TOS set 0x%02x/0x%02x", t->value, t->mask);
	else if (t->mask == 0x3f && name)
		/* iptables' words exactly: "  TOS setMinimize-Delay". */
		fprintf(f, "  TOS set%s", name);
	else if (t->value == 0)
		fprintf(f, " TOS and 0x%02x", (uint8_t)~t->mask);
	else if (t->value == t->mask)
		fprintf(f, " TOS or 0x%02x", t->value);
	else if (t->mask == 0)
		fprintf(f, " TOS xor 0x%02x", t->value);
	else
		fprintf(f, " TOS set 0x%02x/0x%02x", t->value, t->mask);
}

static int tos_t_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct tos_t *t = data;

	if (!mnl_attr_put_u8_check(nlh, buflen, MOAT_A_TOS_T_VALUE, t->value) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_TOS_T_MASK, t->mask))
		return -EMSGSIZE;
	return 0;
}

static int tos_t_attr(const struct nlattr *a, void *data)
{
	struct tos_t *t = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_TOS_T_VALUE:
		return moat_attr_u8(a, &t->value);
	case MOAT_A_TOS_T_MASK:
		return moat_attr_u8(a, &t->mask);
	}
	return 0;
}

static int tos_t_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, tos_t_attr);
}

const struct moat_ext moat_ext_tos_t = {
	.name = "TOS",
	.size = sizeof(struct tos_t),
	.opts = tos_t_opts,
	.parse = tos_t_parse,
	.final_check = tos_t_final_check,
	.print_save = tos_t_save,
	.print_list = tos_t_list,
	.encode = tos_t_encode,
	.decode = tos_t_decode,
};

/* --- DSCP ---------------------------------------------------------------- */

struct dscp_t {
	uint8_t value;
};

enum { O_SET_DSCP, O_SET_DSCP_CLASS };

static const struct moat_ext_opt dscp_t_opts[] = {
	{ "set-dscp", required_argument, O_SET_DSCP },
	{ "set-dscp-class", required_argument, O_SET_DSCP_CLASS },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule dscp_t_rules[] = {
	{ .name = "set-dscp", .id = O_SET_DSCP, .excl = 1u << O_SET_DSCP_CLASS },
	{ .name = "set-dscp-class", .id = O_SET_DSCP_CLASS,
	  .excl = 1u << O_SET_DSCP },
	{ .name = NULL },
};

static void dscp_t_parse(int id, const char *arg, bool invert,
			 unsigned int *seen, void *data, int argc, char **argv)
{
	struct dscp_t *d = data;

	(void)argc;
	(void)argv;
	moat_xt_opt("DSCP", dscp_t_rules, id, invert, seen);
	if (id == O_SET_DSCP)
		d->value = moat_xt_uint("DSCP", "set-dscp", arg, 0, 0x3f);
	else
		d->value = moat_dscp_class(arg);
}

static void dscp_t_final_check(unsigned int seen)
{
	if (!seen)
		moat_param_die("DSCP target: Parameter --set-dscp is required");
	moat_xt_fcheck("DSCP", dscp_t_rules, seen);
}

static void dscp_t_save(FILE *f, const void *data)
{
	fprintf(f, " --set-dscp 0x%02x", ((const struct dscp_t *)data)->value);
}

static void dscp_t_list(FILE *f, const void *data, bool numeric)
{
	(void)numeric;
	fprintf(f, " DSCP set 0x%02x", ((const struct dscp_t *)data)->value);
}

static int dscp_t_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	if (!mnl_attr_put_u8_check(nlh, buflen, MOAT_A_DSCP_T_VALUE,
				   ((const struct dscp_t *)data)->value))
		return -EMSGSIZE;
	return 0;
}

static int dscp_t_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == MOAT_A_DSCP_T_VALUE)
		return moat_attr_u8(a, &((struct dscp_t *)data)->value);
	return 0;
}

static int dscp_t_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, dscp_t_attr);
}

const struct moat_ext moat_ext_dscp_t = {
	.name = "DSCP",
	.size = sizeof(struct dscp_t),
	.opts = dscp_t_opts,
	.parse = dscp_t_parse,
	.final_check = dscp_t_final_check,
	.print_save = dscp_t_save,
	.print_list = dscp_t_list,
	.encode = dscp_t_encode,
	.decode = dscp_t_decode,
};

/* --- TTL ----------------------------------------------------------------- */

struct ttl_t {
	uint8_t mode;		/* MOAT_TTL_SET/_INC/_DEC */
	uint8_t value;
};

/* The option ids are the modes. */
static const struct moat_ext_opt ttl_t_opts[] = {
	{ "ttl-set", required_argument, MOAT_TTL_SET },
	{ "ttl-dec", required_argument, MOAT_TTL_DEC },
	{ "ttl-inc", required_argument, MOAT_TTL_INC },
	{ NULL, 0, 0 },
};

#define F_TTL_ANY ((1u << MOAT_TTL_SET) | (1u << MOAT_TTL_INC) | \
		   (1u << MOAT_TTL_DEC))

static const struct moat_xt_rule ttl_t_rules[] = {
	{ .name = "ttl-set", .id = MOAT_TTL_SET, .excl = F_TTL_ANY },
	{ .name = "ttl-dec", .id = MOAT_TTL_DEC, .excl = F_TTL_ANY },
	{ .name = "ttl-inc", .id = MOAT_TTL_INC, .excl = F_TTL_ANY },
	{ .name = NULL },
};

static void ttl_t_parse(int id, const char *arg, bool invert,
			unsigned int *seen, void *data, int argc, char **argv)
{
	struct ttl_t *t = data;

	(void)argc;
	(void)argv;
	moat_xt_opt("TTL", ttl_t_rules, id, invert, seen);
	/* Changing by 0 would be no change: iptables wants 1-255. */
	t->value = moat_xt_uint("TTL", moat_xt_rule(ttl_t_rules, id)->name,
				arg, id == MOAT_TTL_SET ? 0 : 1, 0xff);
	t->mode = id;
}

static void ttl_t_final_check(unsigned int seen)
{
	if (!seen)
		moat_param_die("TTL: You must specify an action");
	moat_xt_fcheck("TTL", ttl_t_rules, seen);
}

static const char *const ttl_words[][2] = {
	[MOAT_TTL_SET] = { "set", "set to" },
	[MOAT_TTL_INC] = { "inc", "increment by" },
	[MOAT_TTL_DEC] = { "dec", "decrement by" },
};

static void ttl_t_save(FILE *f, const void *data)
{
	const struct ttl_t *t = data;

	if (t->mode <= MOAT_TTL_DEC)
		fprintf(f, " --ttl-%s %u", ttl_words[t->mode][0], t->value);
}

static void ttl_t_list(FILE *f, const void *data, bool numeric)
{
	const struct ttl_t *t = data;

	(void)numeric;
	fputs(" TTL ", f);
	if (t->mode <= MOAT_TTL_DEC)
		fprintf(f, "%s ", ttl_words[t->mode][1]);
	fprintf(f, "%u", t->value);
}

static int ttl_t_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct ttl_t *t = data;

	if (!mnl_attr_put_u8_check(nlh, buflen, MOAT_A_TTL_T_MODE, t->mode) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_TTL_T_VALUE, t->value))
		return -EMSGSIZE;
	return 0;
}

static int ttl_t_attr(const struct nlattr *a, void *data)
{
	struct ttl_t *t = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_TTL_T_MODE:
		return moat_attr_u8(a, &t->mode);
	case MOAT_A_TTL_T_VALUE:
		return moat_attr_u8(a, &t->value);
	}
	return 0;
}

static int ttl_t_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, ttl_t_attr);
}

const struct moat_ext moat_ext_ttl_t = {
	.name = "TTL",
	.size = sizeof(struct ttl_t),
	.opts = ttl_t_opts,
	.parse = ttl_t_parse,
	.final_check = ttl_t_final_check,
	.print_save = ttl_t_save,
	.print_list = ttl_t_list,
	.encode = ttl_t_encode,
	.decode = ttl_t_decode,
};
