// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the marks: the "MARK" target (skb->mark), the "CONNMARK" target
 * (the connection's mark, revision 2 with its shifts) and the "connmark"
 * match.  Every MARK and CONNMARK option comes down to "clear MASK, XOR
 * VALUE", which is what iptables keeps and prints back.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

/* Option ids of both targets, libxt_CONNMARK's (MARK uses the first few). */
enum {
	O_SET_MARK, O_SAVE_MARK, O_RESTORE_MARK, O_AND_MARK, O_OR_MARK,
	O_XOR_MARK, O_LEFT_SHIFT, O_RIGHT_SHIFT, O_SET_XMARK, O_CTMASK,
	O_NFMASK, O_MASK,
};
#define F(id) (1u << (id))
#define F_MARK_ANY (F(O_SET_MARK) | F(O_AND_MARK) | F(O_OR_MARK) | \
		    F(O_XOR_MARK) | F(O_SET_XMARK))
#define F_CONNMARK_OP (F_MARK_ANY | F(O_SAVE_MARK) | F(O_RESTORE_MARK))

/*
 * "clear mask, xor value" of the --set-xmark, --set-mark, --and-mark,
 * --or-mark and --xor-mark options: false for any other option.
 */
static bool xmark(const char *ext, const char *opt, int id, const char *arg,
		  uint32_t *value, uint32_t *mask)
{
	uint32_t v, m;

	switch (id) {
	case O_SET_XMARK:
		moat_xt_markmask(ext, opt, arg, value, mask);
		return true;
	case O_SET_MARK:
		moat_xt_markmask(ext, opt, arg, &v, &m);
		*value = v;
		*mask = v | m;
		return true;
	case O_AND_MARK:
	case O_OR_MARK:
	case O_XOR_MARK:
		v = moat_xt_uint(ext, opt, arg, 0, 0xffffffff);
		*value = id == O_AND_MARK ? 0 : v;
		*mask = id == O_AND_MARK ? ~v : id == O_OR_MARK ? v : 0;
		return true;
	}
	return false;
}

/* " and 0xf", " set 0x1", ...: -L's word for an xmark pair. */
static void print_xmark(FILE *f, uint32_t value, uint32_t mask)
{
	if (value == 0)
		fprintf(f, " and 0x%x", ~mask);
	else if (value == mask)
		fprintf(f, " or 0x%x", value);
	else if (mask == 0)
		fprintf(f, " xor 0x%x", value);
	else if (mask == 0xffffffff)
		fprintf(f, " set 0x%x", value);
	else
		fprintf(f, " xset 0x%x/0x%x", value, mask);
}

/* --- MARK ---------------------------------------------------------------- */

struct mark_t {
	uint32_t value, mask;
};

static const struct moat_ext_opt mark_t_opts[] = {
	{ "set-xmark", required_argument, O_SET_XMARK },
	{ "set-mark", required_argument, O_SET_MARK },
	{ "and-mark", required_argument, O_AND_MARK },
	{ "or-mark", required_argument, O_OR_MARK },
	{ "xor-mark", required_argument, O_XOR_MARK },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule mark_t_rules[] = {
	{ .name = "set-xmark", .id = O_SET_XMARK, .excl = F_MARK_ANY },
	{ .name = "set-mark", .id = O_SET_MARK, .excl = F_MARK_ANY },
	{ .name = "and-mark", .id = O_AND_MARK, .excl = F_MARK_ANY },
	{ .name = "or-mark", .id = O_OR_MARK, .excl = F_MARK_ANY },
	{ .name = "xor-mark", .id = O_XOR_MARK, .excl = F_MARK_ANY },
	{ .name = NULL },
};

static void mark_t_parse(int id, const char *arg, bool invert,
			 unsigned int *seen, void *data, int argc, char **argv)
{
	struct mark_t *m = data;

	(void)argc;
	(void)argv;
	moat_xt_opt("MARK", mark_t_rules, id, invert, seen);
	xmark("MARK", moat_xt_rule(mark_t_rules, id)->name, id, arg, &m->value,
	      &m->mask);
}

static void mark_t_final_check(unsigned int seen)
{
	if (!seen)
		moat_param_die("MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required");
	moat_xt_fcheck("MARK", mark_t_rules, seen);
}

static void mark_t_save(FILE *f, const void *data)
{
	const struct mark_t *m = data;

	fprintf(f, " --set-xmark 0x%x/0x%x", m->value, m->mask);
}

static void mark_t_list(FILE *f, const void *data, bool numeric)
{
	const struct mark_t *m = data;

	(void)numeric;
	fputs(" MARK", f);
	print_xmark(f, m->value, m->mask);
}

static int mark_t_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct mark_t *m = data;

	if (!mnl_attr_put_u32_check(nlh, buflen, MOAT_A_MARK_T_VALUE, m->value) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_MARK_T_MASK, m->mask))
		return -EMSGSIZE;
	return 0;
}

static int mark_t_attr(const struct nlattr *a, void *data)
{
	struct mark_t *m = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_MARK_T_VALUE:
		return moat_attr_u32(a, &m->value);
	case MOAT_A_MARK_T_MASK:
		return moat_attr_u32(a, &m->mask);
	}
	return 0;
}

static int mark_t_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, mark_t_attr);
}

const struct moat_ext moat_ext_mark_t = {
	.name = "MARK",
	.size = sizeof(struct mark_t),
	.opts = mark_t_opts,
	.parse = mark_t_parse,
	.final_check = mark_t_final_check,
	.print_save = mark_t_save,
	.print_list = mark_t_list,
	.encode = mark_t_encode,
	.decode = mark_t_decode,
};

/* --- CONNMARK ------------------------------------------------------------ */

struct connmark_t {
	uint8_t mode;			/* MOAT_CONNMARK_* */
	uint32_t ctmark, ctmask, nfmask;
	uint8_t shift_dir, shift_bits;
};

static const struct moat_ext_opt connmark_t_opts[] = {
	{ "set-xmark", required_argument, O_SET_XMARK },
	{ "set-mark", required_argument, O_SET_MARK },
	{ "and-mark", required_argument, O_AND_MARK },
	{ "or-mark", required_argument, O_OR_MARK },
	{ "xor-mark", required_argument, O_XOR_MARK },
	{ "save-mark", no_argument, O_SAVE_MARK },
	{ "restore-mark", no_argument, O_RESTORE_MARK },
	{ "left-shift-mark", required_argument, O_LEFT_SHIFT },
	{ "right-shift-mark", required_argument, O_RIGHT_SHIFT },
	{ "ctmask", required_argument, O_CTMASK },
	{ "nfmask", required_argument, O_NFMASK },
	{ "mask", required_argument, O_MASK },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule connmark_t_rules[] = {
	{ .name = "set-xmark", .id = O_SET_XMARK, .excl = F_CONNMARK_OP },
	{ .name = "set-mark", .id = O_SET_MARK, .excl = F_CONNMARK_OP },
	{ .name = "and-mark", .id = O_AND_MARK, .excl = F_CONNMARK_OP },
	{ .name = "or-mark", .id = O_OR_MARK, .excl = F_CONNMARK_OP },
	{ .name = "xor-mark", .id = O_XOR_MARK, .excl = F_CONNMARK_OP },
	{ .name = "save-mark", .id = O_SAVE_MARK, .excl = F_CONNMARK_OP },
	{ .name = "restore-mark", .id = O_RESTORE_MARK, .excl = F_CONNMARK_OP },
	{ .name = "left-shift-mark", .id = O_LEFT_SHIFT },
	{ .name = "right-shift-mark", .id = O_RIGHT_SHIFT },
	{ .name = "ctmask", .id = O_CTMASK, .excl = F(O_MASK) },
	{ .name = "nfmask", .id = O_NFMASK, .excl = F(O_MASK) },
	{ .name = "mask", .id = O_MASK, .excl = F(O_CTMASK) | F(O_NFMASK) },
	{ .name = NULL },
};

static void connmark_t_init(void *data)
{
	struct connmark_t *c = data;

	/* What --save-mark and --restore-mark use unless told otherwise. */
	c->ctmask = 0xffffffff;
	c->nfmask = 0xffffffff;
	c->shift_dir = MOAT_CONNMARK_SHIFT_LEFT;
}

static void connmark_t_parse(int id, const char *arg, bool invert,
			     unsigned int *seen, void *data, int argc,
			     char **argv)
{
	const char *name = moat_xt_rule(connmark_t_rules, id)->name;
	struct connmark_t *c = data;

	(void)argc;
	(void)argv;
	moat_xt_opt("CONNMARK", connmark_t_rules, id, invert, seen);
	if (xmark("CONNMARK", name, id, arg, &c->ctmark, &c->ctmask)) {
		c->mode = MOAT_CONNMARK_SET;
		return;
	}
	switch (id) {
	case O_SAVE_MARK:
		c->mode = MOAT_CONNMARK_SAVE;
		break;
	case O_RESTORE_MARK:
		c->mode = MOAT_CONNMARK_RESTORE;
		break;
	case O_LEFT_SHIFT:
	case O_RIGHT_SHIFT:
		c->shift_dir = id == O_LEFT_SHIFT ? MOAT_CONNMARK_SHIFT_LEFT :
						    MOAT_CONNMARK_SHIFT_RIGHT;
		c->shift_bits = moat_xt_uint("CONNMARK", name, arg, 0, 32);
		break;
	case O_CTMASK:
		c->ctmask = moat_xt_uint("CONNMARK", name, arg, 0, 0xffffffff);
		break;
	case O_NFMASK:
		c->nfmask = moat_xt_uint("CONNMARK", name, arg, 0, 0xffffffff);
		break;
	case O_MASK:
		c->ctmask = c->nfmask = moat_xt_uint("CONNMARK", name, arg, 0,
						     0xffffffff);
		break;
	}
}

static void connmark_t_final_check(unsigned int seen)
{
	if (!(seen & F_CONNMARK_OP))
		moat_param_die("CONNMARK target: No operation specified");
	moat_xt_fcheck("CONNMARK", connmark_t_rules, seen);
}

static const char *const shift_ops[] = {
	[MOAT_CONNMARK_SHIFT_LEFT] = "left-shift-mark",
	[MOAT_CONNMARK_SHIFT_RIGHT] = "right-shift-mark",
};

static void print_shift(FILE *f, const char *pfx, const struct connmark_t *c)
{
	if (c->mode <= MOAT_CONNMARK_RESTORE && c->shift_bits &&
	    c->shift_dir <= MOAT_CONNMARK_SHIFT_RIGHT)
		fprintf(f, " %s%s %u", pfx, shift_ops[c->shift_dir],
			c->shift_bits);
}

static void connmark_t_save(FILE *f, const void *data)
{
	const struct connmark_t *c = data;

	switch (c->mode) {
	case MOAT_CONNMARK_SET:
		fprintf(f, " --set-xmark 0x%x/0x%x", c->ctmark, c->ctmask);
		break;
	case MOAT_CONNMARK_SAVE:
	case MOAT_CONNMARK_RESTORE:
		fprintf(f, " --%s-mark --nfmask 0x%x --ctmask 0x%x",
			c->mode == MOAT_CONNMARK_SAVE ? "save" : "restore",
			c->nfmask, c->ctmask);
		break;
	default:
		fputs(" ERROR: UNKNOWN CONNMARK MODE", f);
	}
	print_shift(f, "--", c);
}

/*
 * "save nfmask 0xff ctmask ~0xf0": the mask read first, then the one
 * written, with the "~" iptables gives it.
 */
static void print_copy(FILE *f, const char *op, uint32_t first,
		       const char *first_name, uint32_t second,
		       const char *second_name)
{
	fprintf(f, " CONNMARK %s", op);
	if (first == 0xffffffff && second == 0xffffffff)
		return;
	if (first == second)
		fprintf(f, " mask 0x%x", first);
	else
		fprintf(f, " %s 0x%x %s ~0x%x", first_name, first, second_name,
			second);
}

static void connmark_t_list(FILE *f, const void *data, bool numeric)
{
	const struct connmark_t *c = data;

	(void)numeric;
	switch (c->mode) {
	case MOAT_CONNMARK_SET:
		fputs(" CONNMARK", f);
		print_xmark(f, c->ctmark, c->ctmask);
		break;
	case MOAT_CONNMARK_SAVE:
		print_copy(f, "save", c->nfmask, "nfmask", c->ctmask, "ctmask");
		break;
	case MOAT_CONNMARK_RESTORE:
		print_copy(f, "restore", c->ctmask, "ctmask", c->nfmask,
			   "nfmask");
		break;
	default:
		fputs(" ERROR: UNKNOWN CONNMARK MODE", f);
	}
	print_shift(f, "", c);
}

static int connmark_t_encode(struct nlmsghdr *nlh, size_t buflen,
			     const void *data)
{
	const struct connmark_t *c = data;

	if (!mnl_attr_put_u8_check(nlh, buflen, MOAT_A_CONNMARK_MODE, c->mode) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_CONNMARK_CTMARK, c->ctmark) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_CONNMARK_CTMASK, c->ctmask) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_CONNMARK_NFMASK, c->nfmask) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_CONNMARK_SHIFT_DIR,
				   c->shift_dir) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_CONNMARK_SHIFT_BITS,
				   c->shift_bits))
		return -EMSGSIZE;
	return 0;
}

static int connmark_t_attr(const struct nlattr *a, void *data)
{
	struct connmark_t *c = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_CONNMARK_MODE:
		return moat_attr_u8(a, &c->mode);
	case MOAT_A_CONNMARK_CTMARK:
		return moat_attr_u32(a, &c->ctmark);
	case MOAT_A_CONNMARK_CTMASK:
		return moat_attr_u32(a, &c->ctmask);
	case MOAT_A_CONNMARK_NFMASK:
		return moat_attr_u32(a, &c->nfmask);
	case MOAT_A_CONNMARK_SHIFT_DIR:
		return moat_attr_u8(a, &c->shift_dir);
	case MOAT_A_CONNMARK_SHIFT_BITS:
		return moat_attr_u8(a, &c->shift_bits);
	}
	return 0;
}

static int connmark_t_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, connmark_t_attr);
}

const struct moat_ext moat_ext_connmark_t = {
	.name = "CONNMARK",
	.size = sizeof(struct connmark_t),
	.opts = connmark_t_opts,
	.init = connmark_t_init,
	.parse = connmark_t_parse,
	.final_check = connmark_t_final_check,
	.print_save = connmark_t_save,
	.print_list = connmark_t_list,
	.encode = connmark_t_encode,
	.decode = connmark_t_decode,
};

/* --- connmark match: the "mark" match's attributes, on the ctmark -------- */

struct connmark {
	uint32_t value, mask;
	bool inv;
};

static const struct moat_ext_opt connmark_opts[] = {
	{ "mark", required_argument, 0 },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule connmark_rules[] = {
	{ .name = "mark", .id = 0, .invert = true, .mand = true },
	{ .name = NULL },
};

static void connmark_init(void *data)
{
	((struct connmark *)data)->mask = 0xffffffff;
}

static void connmark_parse(int id, const char *arg, bool invert,
			   unsigned int *seen, void *data, int argc,
			   char **argv)
{
	struct connmark *c = data;

	(void)argc;
	(void)argv;
	moat_xt_opt("connmark", connmark_rules, id, invert, seen);
	moat_xt_markmask("connmark", "mark", arg, &c->value, &c->mask);
	c->inv = invert;
}

static void connmark_final_check(unsigned int seen)
{
	moat_xt_fcheck("connmark", connmark_rules, seen);
}

static void print_value(FILE *f, const struct connmark *c)
{
	if (c->mask != 0xffffffff)
		fprintf(f, " 0x%x/0x%x", c->value, c->mask);
	else
		fprintf(f, " 0x%x", c->value);
}

static void connmark_save(FILE *f, const void *data)
{
	const struct connmark *c = data;

	fputs(c->inv ? " ! --mark" : " --mark", f);
	print_value(f, c);
}

static void connmark_list(FILE *f, const void *data, bool numeric)
{
	const struct connmark *c = data;

	(void)numeric;
	/* Two spaces when not inverted: iptables' "match " then " 0x1". */
	fputs(c->inv ? " connmark match !" : " connmark match ", f);
	print_value(f, c);
}

static int connmark_encode(struct nlmsghdr *nlh, size_t buflen,
			   const void *data)
{
	const struct connmark *c = data;

	if (!mnl_attr_put_u32_check(nlh, buflen, MOAT_A_MARK_VALUE, c->value) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_MARK_MASK, c->mask) ||
	    (c->inv && !mnl_attr_put_check(nlh, buflen, MOAT_A_MARK_INV, 0, NULL)))
		return -EMSGSIZE;
	return 0;
}

static int connmark_attr(const struct nlattr *a, void *data)
{
	struct connmark *c = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_MARK_VALUE:
		return moat_attr_u32(a, &c->value);
	case MOAT_A_MARK_MASK:
		return moat_attr_u32(a, &c->mask);
	case MOAT_A_MARK_INV:
		c->inv = true;
	}
	return 0;
}

static int connmark_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, connmark_attr);
}

const struct moat_ext moat_ext_connmark = {
	.name = "connmark",
	.size = sizeof(struct connmark),
	.opts = connmark_opts,
	.init = connmark_init,
	.parse = connmark_parse,
	.final_check = connmark_final_check,
	.print_save = connmark_save,
	.print_list = connmark_list,
	.encode = connmark_encode,
	.decode = connmark_decode,
};
