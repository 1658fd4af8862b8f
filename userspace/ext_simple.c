// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the small matches: "mark", "comment", "length" and "mac", each an
 * option or two read by iptables' own parser.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

/* --- mark ---------------------------------------------------------------- */

struct mark {
	uint32_t value, mask;
	bool inv;
};

static const struct moat_ext_opt mark_opts[] = {
	{ "mark", required_argument, 0 },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule mark_rules[] = {
	{ .name = "mark", .id = 0, .invert = true, .mand = true },
	{ .name = NULL },
};

static void mark_parse(int id, const char *arg, bool invert,
		       unsigned int *seen, void *data, int argc, char **argv)
{
	struct mark *mk = data;

	(void)argc;
	(void)argv;
	moat_xt_opt("mark", mark_rules, id, invert, seen);
	moat_xt_markmask("mark", "mark", arg, &mk->value, &mk->mask);
	mk->inv = invert;
}

static void mark_final_check(unsigned int seen)
{
	moat_xt_fcheck("mark", mark_rules, seen);
}

static void print_mark(FILE *f, const struct mark *mk)
{
	if (mk->mask != ~0u)
		fprintf(f, " 0x%x/0x%x", mk->value, mk->mask);
	else
		fprintf(f, " 0x%x", mk->value);
}

static void mark_save(FILE *f, const void *data)
{
	const struct mark *mk = data;

	fputs(mk->inv ? " ! --mark" : " --mark", f);
	print_mark(f, mk);
}

static void mark_list(FILE *f, const void *data, bool numeric)
{
	const struct mark *mk = data;

	(void)numeric;
	fputs(mk->inv ? " mark match !" : " mark match", f);
	print_mark(f, mk);
}

static int mark_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct mark *mk = data;

	if (!mnl_attr_put_u32_check(nlh, buflen, MOAT_A_MARK_VALUE, mk->value) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_MARK_MASK, mk->mask) ||
	    !moat_attr_put_flag(nlh, buflen, MOAT_A_MARK_INV, mk->inv))
		return -EMSGSIZE;
	return 0;
}

static int mark_attr(const struct nlattr *a, void *data)
{
	struct mark *mk = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_MARK_VALUE:
		return moat_attr_u32(a, &mk->value);
	case MOAT_A_MARK_MASK:
		return moat_attr_u32(a, &mk->mask);
	case MOAT_A_MARK_INV:
		mk->inv = true;
	}
	return 0;
}

static int mark_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, mark_attr);
}

static void mark_init(void *data)
{
	((struct mark *)data)->mask = ~0u;
}

const struct moat_ext moat_ext_mark = {
	.name = "mark",
	.size = sizeof(struct mark),
	.opts = mark_opts,
	.init = mark_init,
	.parse = mark_parse,
	.final_check = mark_final_check,
	.print_save = mark_save,
	.print_list = mark_list,
	.encode = mark_encode,
	.decode = mark_decode,
};

/* --- comment ------------------------------------------------------------- */

struct comment {
	char text[MOAT_COMMENT_LEN];
};

static const struct moat_ext_opt comment_opts[] = {
	{ "comment", required_argument, 0 },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule comment_rules[] = {
	{ .name = "comment", .id = 0, .mand = true },
	{ .name = NULL },
};

static void comment_parse(int id, const char *arg, bool invert,
			  unsigned int *seen, void *data, int argc,
			  char **argv)
{
	struct comment *c = data;

	(void)argc;
	(void)argv;
	moat_xt_opt("comment", comment_rules, id, invert, seen);
	/* iptables keeps the first 255 bytes, silently */
	snprintf(c->text, sizeof(c->text), "%s", arg);
}

static void comment_final_check(unsigned int seen)
{
	moat_xt_fcheck("comment", comment_rules, seen);
}

static void comment_save(FILE *f, const void *data)
{
	fputs(" --comment", f);
	moat_xt_save_string(f, ((const struct comment *)data)->text);
}

static void comment_list(FILE *f, const void *data, bool numeric)
{
	(void)numeric;
	fprintf(f, " /* %s */", ((const struct comment *)data)->text);
}

static int comment_encode(struct nlmsghdr *nlh, size_t buflen,
			  const void *data)
{
	if (!mnl_attr_put_strz_check(nlh, buflen, MOAT_A_COMMENT_TEXT,
				     ((const struct comment *)data)->text))
		return -EMSGSIZE;
	return 0;
}

static int comment_attr(const struct nlattr *a, void *data)
{
	struct comment *c = data;

	if (mnl_attr_get_type(a) != MOAT_A_COMMENT_TEXT)
		return 0;
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return -EINVAL;
	snprintf(c->text, sizeof(c->text), "%s", mnl_attr_get_str(a));
	return 0;
}

static int comment_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, comment_attr);
}

const struct moat_ext moat_ext_comment = {
	.name = "comment",
	.size = sizeof(struct comment),
	.opts = comment_opts,
	.parse = comment_parse,
	.final_check = comment_final_check,
	.print_save = comment_save,
	.print_list = comment_list,
	.encode = comment_encode,
	.decode = comment_decode,
};

/* --- length -------------------------------------------------------------- */

struct length {
	uint16_t min, max;
	bool inv;
};

static const struct moat_ext_opt length_opts[] = {
	{ "length", required_argument, 0 },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule length_rules[] = {
	{ .name = "length", .id = 0, .invert = true, .mand = true },
	{ .name = NULL },
};

static void length_parse(int id, const char *arg, bool invert,
			 unsigned int *seen, void *data, int argc, char **argv)
{
	struct length *l = data;
	uint32_t v[2];
	unsigned int n;

	(void)argc;
	(void)argv;
	moat_xt_opt("length", length_rules, id, invert, seen);
	n = moat_xt_range("length", "length", arg, 0xffff, v);
	l->min = v[0];
	l->max = n >= 2 ? v[1] : v[0];
	if (invert)
		l->inv = true;
}

static void length_final_check(unsigned int seen)
{
	moat_xt_fcheck("length", length_rules, seen);
}

static void print_length(FILE *f, const struct length *l)
{
	if (l->min == l->max)
		fprintf(f, "%u", l->min);
	else
		fprintf(f, "%u:%u", l->min, l->max);
}

static void length_save(FILE *f, const void *data)
{
	const struct length *l = data;

	fprintf(f, "%s --length ", l->inv ? " !" : "");
	print_length(f, l);
}

static void length_list(FILE *f, const void *data, bool numeric)
{
	const struct length *l = data;

	(void)numeric;
	fprintf(f, " length %s", l->inv ? "!" : "");
	print_length(f, l);
}

static int length_encode(struct nlmsghdr *nlh, size_t buflen,
			 const void *data)
{
	const struct length *l = data;

	if (!mnl_attr_put_u16_check(nlh, buflen, MOAT_A_LENGTH_MIN, l->min) ||
	    !mnl_attr_put_u16_check(nlh, buflen, MOAT_A_LENGTH_MAXLEN, l->max) ||
	    !moat_attr_put_flag(nlh, buflen, MOAT_A_LENGTH_INV, l->inv))
		return -EMSGSIZE;
	return 0;
}

static int length_attr(const struct nlattr *a, void *data)
{
	struct length *l = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_LENGTH_MIN:
		return moat_attr_u16(a, &l->min);
	case MOAT_A_LENGTH_MAXLEN:
		return moat_attr_u16(a, &l->max);
	case MOAT_A_LENGTH_INV:
		l->inv = true;
	}
	return 0;
}

static int length_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, length_attr);
}

const struct moat_ext moat_ext_length = {
	.name = "length",
	.size = sizeof(struct length),
	.opts = length_opts,
	.parse = length_parse,
	.final_check = length_final_check,
	.print_save = length_save,
	.print_list = length_list,
	.encode = length_encode,
	.decode = length_decode,
};

/* --- mac ----------------------------------------------------------------- */

struct mac {
	uint8_t addr[6];
	bool inv;
};

static const struct moat_ext_opt mac_opts[] = {
	{ "mac-source", required_argument, 0 },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule mac_rules[] = {
	{ .name = "mac-source", .id = 0, .invert = true, .mand = true },
	{ .name = NULL },
};

/* xtopt_parse_ethermac: six hex fields of at most two digits. */
static void mac_parse(int id, const char *arg, bool invert,
		      unsigned int *seen, void *data, int argc, char **argv)
{
	struct mac *m = data;
	unsigned int i;
	char *end;

	(void)argc;
	(void)argv;
	moat_xt_opt("mac", mac_rules, id, invert, seen);
	for (i = 0; i < 6; i++) {
		m->addr[i] = strtoul(arg, &end, 16);
		if (*end != (i < 5 ? ':' : '\0') || end - arg > 2)
			moat_param_die("Invalid MAC address specified.");
		arg = end + 1;
	}
	if (invert)
		m->inv = true;
}

static void mac_final_check(unsigned int seen)
{
	moat_xt_fcheck("mac", mac_rules, seen);
}

static void print_mac(FILE *f, const uint8_t *a)
{
	fprintf(f, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3],
		a[4], a[5]);
}

static void mac_save(FILE *f, const void *data)
{
	const struct mac *m = data;

	fputs(m->inv ? " ! --mac-source " : " --mac-source ", f);
	print_mac(f, m->addr);
}

static void mac_list(FILE *f, const void *data, bool numeric)
{
	const struct mac *m = data;

	(void)numeric;
	fputs(m->inv ? " MAC ! " : " MAC ", f);
	print_mac(f, m->addr);
}

static int mac_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct mac *m = data;

	if (!mnl_attr_put_check(nlh, buflen, MOAT_A_MAC_ADDR, 6, m->addr) ||
	    !moat_attr_put_flag(nlh, buflen, MOAT_A_MAC_INV, m->inv))
		return -EMSGSIZE;
	return 0;
}

static int mac_attr(const struct nlattr *a, void *data)
{
	struct mac *m = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_MAC_ADDR:
		if (mnl_attr_get_payload_len(a) != 6)
			return -EINVAL;
		memcpy(m->addr, mnl_attr_get_payload(a), 6);
		return 0;
	case MOAT_A_MAC_INV:
		m->inv = true;
	}
	return 0;
}

static int mac_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, mac_attr);
}

const struct moat_ext moat_ext_mac = {
	.name = "mac",
	.size = sizeof(struct mac),
	.opts = mac_opts,
	.parse = mac_parse,
	.final_check = mac_final_check,
	.print_save = mac_save,
	.print_list = mac_list,
	.encode = mac_encode,
	.decode = mac_decode,
};
