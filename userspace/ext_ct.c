// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the raw table's "CT" target (--notrack) and "NOTRACK", which is
 * the same thing under its old name.  iptables 1.8.9 turns -j NOTRACK
 * into a CT target marked as the alias: -L shows it under "CT" with the
 * word "NOTRACK", -S keeps "-j NOTRACK", and it is a rule of its own for
 * -D and -C.  moat keeps it apart by its name, MOAT_A_TARGET_NAME
 * "NOTRACK", with the same attributes as CT --notrack.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

struct ct_t {
	uint32_t flags;		/* MOAT_CT_T_* */
};

enum { O_NOTRACK };

static const struct moat_ext_opt ct_opts[] = {
	{ "notrack", no_argument, O_NOTRACK },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule ct_rules[] = {
	{ .name = "notrack", .id = O_NOTRACK },
	{ .name = NULL },
};

static void ct_parse(int id, const char *arg, bool invert,
		     unsigned int *seen, void *data, int argc, char **argv)
{
	(void)arg;
	(void)argc;
	(void)argv;
	moat_xt_opt("CT", ct_rules, id, invert, seen);
	((struct ct_t *)data)->flags |= MOAT_CT_T_NOTRACK;
}

static void ct_save(FILE *f, const void *data)
{
	if (((const struct ct_t *)data)->flags & MOAT_CT_T_NOTRACK)
		fputs(" --notrack", f);
}

static void ct_list(FILE *f, const void *data, bool numeric)
{
	(void)numeric;
	fputs(" CT", f);
	if (((const struct ct_t *)data)->flags & MOAT_CT_T_NOTRACK)
		fputs(" notrack", f);
}

static int ct_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	if (!mnl_attr_put_u32_check(nlh, buflen, MOAT_A_CT_T_FLAGS,
				    ((const struct ct_t *)data)->flags))
		return -EMSGSIZE;
	return 0;
}

static int ct_decode(const struct nlattr *nest, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == MOAT_A_CT_T_FLAGS &&
		    moat_attr_u32(a, &((struct ct_t *)data)->flags))
			return -EINVAL;
	return 0;
}

const struct moat_ext moat_ext_ct = {
	.name = "CT",
	.size = sizeof(struct ct_t),
	.opts = ct_opts,
	.parse = ct_parse,
	.print_save = ct_save,
	.print_list = ct_list,
	.encode = ct_encode,
	.decode = ct_decode,
};

static const struct moat_ext_opt notrack_opts[] = {
	{ NULL, 0, 0 },
};

static void notrack_init(void *data)
{
	((struct ct_t *)data)->flags = MOAT_CT_T_NOTRACK;
}

static void notrack_save(FILE *f, const void *data)
{
	(void)f;
	(void)data;
}

static void notrack_list(FILE *f, const void *data, bool numeric)
{
	(void)data;
	(void)numeric;
	fputs(" NOTRACK", f);
}

const struct moat_ext moat_ext_notrack = {
	.name = "NOTRACK",
	.list_name = "CT",
	.size = sizeof(struct ct_t),
	.opts = notrack_opts,
	.init = notrack_init,
	/* No options, so no parse. */
	.print_save = notrack_save,
	.print_list = notrack_list,
	.encode = ct_encode,
	.decode = ct_decode,
};
