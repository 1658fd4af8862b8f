// SPDX-License-Identifier: GPL-2.0
/* moat: the "state" and "conntrack" matches: what nf_conntrack knows. */
#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/moat.h>
#include "ext.h"
#include "parse.h"
#include "print.h"
#include "prog.h"

struct ct_addr {
	uint32_t addr, mask;
};

struct ct {
	uint16_t state;
	uint32_t status;
	uint16_t proto;
	struct ct_addr orig_src, orig_dst, repl_src, repl_dst;
	uint16_t flags, inv;		/* MOAT_CT_F_* given, negated */
	uint8_t dir;
};

enum { O_STATE = 1, O_CTSTATE, O_PROTO, O_ORIGSRC, O_ORIGDST, O_REPLSRC,
       O_REPLDST, O_STATUS, O_DIR };

struct name_bit {
	const char *name;
	uint32_t bit;
};

/* In the order iptables prints them. */
static const struct name_bit states[] = {
	{ "INVALID", MOAT_CT_STATE_INVALID },
	{ "NEW", MOAT_CT_STATE_NEW },
	{ "RELATED", MOAT_CT_STATE_RELATED },
	{ "ESTABLISHED", MOAT_CT_STATE_ESTABLISHED },
	{ "UNTRACKED", MOAT_CT_STATE_UNTRACKED },
	{ "SNAT", MOAT_CT_STATE_SNAT },
	{ "DNAT", MOAT_CT_STATE_DNAT },
	{ NULL, 0 },
};

/* IPS_* bits of the kernel's nf_conntrack_common.h. */
static const struct name_bit statuses[] = {
	{ "NONE", 0 },
	{ "EXPECTED", 1 << 0 },
	{ "SEEN_REPLY", 1 << 1 },
	{ "ASSURED", 1 << 2 },
	{ "CONFIRMED", 1 << 3 },
	{ NULL, 0 },
};

static const struct moat_ext_opt state_opts[] = {
	{ "state", required_argument, O_STATE },
	{ NULL, 0, 0 },
};

static const struct moat_ext_opt conntrack_opts[] = {
	{ "ctstate", required_argument, O_CTSTATE },
	{ "ctproto", required_argument, O_PROTO },
	{ "ctorigsrc", required_argument, O_ORIGSRC },
	{ "ctorigdst", required_argument, O_ORIGDST },
	{ "ctreplsrc", required_argument, O_REPLSRC },
	{ "ctrepldst", required_argument, O_REPLDST },
	{ "ctstatus", required_argument, O_STATUS },
	{ "ctdir", required_argument, O_DIR },
	{ NULL, 0, 0 },
};

/* A comma list of names; @what names the option in the error. */
static uint32_t parse_names(const char *arg, const struct name_bit *names,
			    size_t max_names, const char *what)
{
	char buf[strlen(arg) + 1];
	char *rest = buf, *word;
	uint32_t bits = 0;
	size_t i;

	strcpy(buf, arg);
	while ((word = strsep(&rest, ","))) {
		for (i = 0; i < max_names && names[i].name; i++)
			if (*word && !strcasecmp(word, names[i].name))
				break;
		if (i == max_names || !names[i].name)
			moat_param_die("Bad %s \"%s\"", what, word);
		bits |= names[i].bit;
	}
	return bits;
}

static void parse_addr(const char *arg, struct ct_addr *a)
{
	moat_parse_address_one(arg, &a->addr, &a->mask);
}

/* Each option once, as iptables' option parser checks. */
static void once(const char *match, const char *opt, unsigned int *seen,
		 unsigned int bit)
{
	if (*seen & bit)
		moat_param_die("%s: option \"--%s\" can only be used once.\n",
			       match, opt);
	*seen |= bit;
}

static void state_parse(int id, const char *arg, bool invert,
			unsigned int *seen, void *data, int argc, char **argv)
{
	struct ct *ct = data;

	(void)id;
	(void)argc;
	(void)argv;
	once("state", "state", seen, 1);
	/* "state" knows the first five names only. */
	ct->state = parse_names(arg, states, 5, "state");
	ct->flags |= MOAT_CT_F_STATE;
	if (invert)
		ct->inv |= MOAT_CT_F_STATE;
}

static void state_final_check(unsigned int seen)
{
	if (!seen)
		moat_param_die("state: option \"--state\" must be specified\n");
}

static const struct {
	int id;
	const char *opt;
	uint16_t flag;
} ct_flag_of[] = {
	{ O_CTSTATE, "ctstate", MOAT_CT_F_STATE },
	{ O_PROTO, "ctproto", MOAT_CT_F_PROTO },
	{ O_ORIGSRC, "ctorigsrc", MOAT_CT_F_ORIGSRC },
	{ O_ORIGDST, "ctorigdst", MOAT_CT_F_ORIGDST },
	{ O_REPLSRC, "ctreplsrc", MOAT_CT_F_REPLSRC },
	{ O_REPLDST, "ctrepldst", MOAT_CT_F_REPLDST },
	{ O_STATUS, "ctstatus", MOAT_CT_F_STATUS },
	{ O_DIR, "ctdir", MOAT_CT_F_DIR },
};

static void ct_parse_dir(const char *arg, struct ct *ct)
{
	if (!strcasecmp(arg, "ORIGINAL"))
		ct->dir = MOAT_CT_DIR_ORIGINAL;
	else if (!strcasecmp(arg, "REPLY"))
		ct->dir = MOAT_CT_DIR_REPLY;
	else
		moat_param_die("conntrack: Bad value for \"--ctdir\" option: \"%s\"",
			       arg);
}

static void conntrack_parse(int id, const char *arg, bool invert,
			    unsigned int *seen, void *data, int argc, char **argv)
{
	struct ct *ct = data;
	uint16_t flag = 0;
	size_t i;

	(void)argc;
	(void)argv;
	for (i = 0; i < sizeof(ct_flag_of) / sizeof(ct_flag_of[0]); i++)
		if (ct_flag_of[i].id == id)
			break;
	once("conntrack", ct_flag_of[i].opt, seen, 1u << id);
	flag = ct_flag_of[i].flag;
	switch (id) {
	case O_CTSTATE:
		ct->state = parse_names(arg, states, 7, "ctstate");
		break;
	case O_PROTO:
		/* iptables takes 0 ("all") too: a rule that never matches. */
		ct->proto = moat_parse_protocol(arg);
		break;
	case O_ORIGSRC:
		parse_addr(arg, &ct->orig_src);
		break;
	case O_ORIGDST:
		parse_addr(arg, &ct->orig_dst);
		break;
	case O_REPLSRC:
		parse_addr(arg, &ct->repl_src);
		break;
	case O_REPLDST:
		parse_addr(arg, &ct->repl_dst);
		break;
	case O_STATUS:
		ct->status = parse_names(arg, statuses, 5, "ctstatus");
		break;
	case O_DIR:
		ct_parse_dir(arg, ct);
		break;
	}
	ct->flags |= flag;
	if (invert)
		ct->inv |= flag;
}

static void conntrack_final_check(unsigned int seen)
{
	if (!seen)
		moat_param_die("conntrack: At least one option is required");
}

static void print_names(FILE *f, uint32_t bits, const struct name_bit *names)
{
	const char *sep = "";
	size_t i;

	for (i = 0; names[i].name; i++) {
		if (!names[i].bit || !(bits & names[i].bit))
			continue;
		fprintf(f, "%s%s", sep, names[i].name);
		sep = ",";
	}
	if (!*sep)
		fputs("NONE", f);
}

static const char *neg(const struct ct *ct, uint16_t flag)
{
	return ct->inv & flag ? " !" : "";
}

static void state_save(FILE *f, const void *data)
{
	const struct ct *ct = data;

	fprintf(f, "%s --state ", neg(ct, MOAT_CT_F_STATE));
	print_names(f, ct->state, states);
}

static void state_list(FILE *f, const void *data, bool numeric)
{
	const struct ct *ct = data;

	(void)numeric;
	fprintf(f, "%s state ", neg(ct, MOAT_CT_F_STATE));
	print_names(f, ct->state, states);
}

static const struct ct_addr *ct_addr_of(const struct ct *ct, uint16_t flag)
{
	switch (flag) {
	case MOAT_CT_F_ORIGSRC:
		return &ct->orig_src;
	case MOAT_CT_F_ORIGDST:
		return &ct->orig_dst;
	case MOAT_CT_F_REPLSRC:
		return &ct->repl_src;
	default:
		return &ct->repl_dst;
	}
}

/* iptables shows a prefix length, or no mask at all if it has none. */
static void print_addr(FILE *f, const struct ct_addr *a, bool numeric)
{
	uint32_t m = ntohl(a->mask);

	if (m & (~m >> 1))
		fputs(moat_addr_mask_str(a->addr, 0xffffffff, numeric), f);
	else
		fputs(moat_addr_mask_str(a->addr, a->mask, numeric), f);
}

/* -S puts "--" before each name, -L nothing; -L may resolve names. */
static void ct_print(FILE *f, const struct ct *ct, const char *dashes,
		     bool numeric)
{
	size_t i;

	for (i = 0; i < sizeof(ct_flag_of) / sizeof(ct_flag_of[0]); i++) {
		uint16_t flag = ct_flag_of[i].flag;
		const struct ct_addr *a;

		if (!(ct->flags & flag))
			continue;
		fprintf(f, "%s %s%s ", neg(ct, flag), dashes, ct_flag_of[i].opt);
		switch (flag) {
		case MOAT_CT_F_STATE:
			print_names(f, ct->state, states);
			break;
		case MOAT_CT_F_PROTO:
			fprintf(f, "%u", ct->proto);
			break;
		case MOAT_CT_F_STATUS:
			print_names(f, ct->status, statuses);
			break;
		case MOAT_CT_F_DIR:
			fputs(ct->dir == MOAT_CT_DIR_REPLY ? "REPLY" : "ORIGINAL", f);
			break;
		default:
			a = ct_addr_of(ct, flag);
			print_addr(f, a, numeric);
		}
	}
}

static void conntrack_save(FILE *f, const void *data)
{
	ct_print(f, data, "--", true);
}

static void conntrack_list(FILE *f, const void *data, bool numeric)
{
	ct_print(f, data, "", numeric);
}

static bool put_addr(struct nlmsghdr *nlh, size_t len, int type,
		     const struct ct_addr *a)
{
	return mnl_attr_put_u32_check(nlh, len, type, a->addr) &&
	       mnl_attr_put_u32_check(nlh, len, type + 1, a->mask);
}

static int ct_encode(struct nlmsghdr *nlh, size_t len, const void *data)
{
	const struct ct *ct = data;

	if (!mnl_attr_put_u16_check(nlh, len, MOAT_A_CT_STATE, ct->state) ||
	    !mnl_attr_put_u32_check(nlh, len, MOAT_A_CT_STATUS, ct->status) ||
	    !mnl_attr_put_u16_check(nlh, len, MOAT_A_CT_PROTO, ct->proto) ||
	    !put_addr(nlh, len, MOAT_A_CT_ORIGSRC, &ct->orig_src) ||
	    !put_addr(nlh, len, MOAT_A_CT_ORIGDST, &ct->orig_dst) ||
	    !put_addr(nlh, len, MOAT_A_CT_REPLSRC, &ct->repl_src) ||
	    !put_addr(nlh, len, MOAT_A_CT_REPLDST, &ct->repl_dst) ||
	    !mnl_attr_put_u16_check(nlh, len, MOAT_A_CT_FLAGS, ct->flags) ||
	    !mnl_attr_put_u16_check(nlh, len, MOAT_A_CT_INV, ct->inv) ||
	    (ct->dir && !mnl_attr_put_u8_check(nlh, len, MOAT_A_CT_DIR, ct->dir)))
		return -EMSGSIZE;
	return 0;
}

static int ct_attr(const struct nlattr *a, struct ct *ct)
{
	switch (mnl_attr_get_type(a)) {
	case MOAT_A_CT_STATE:
		return moat_attr_u16(a, &ct->state);
	case MOAT_A_CT_STATUS:
		return moat_attr_u32(a, &ct->status);
	case MOAT_A_CT_PROTO:
		return moat_attr_u16(a, &ct->proto);
	case MOAT_A_CT_ORIGSRC:
		return moat_attr_u32(a, &ct->orig_src.addr);
	case MOAT_A_CT_ORIGSRC_MASK:
		return moat_attr_u32(a, &ct->orig_src.mask);
	case MOAT_A_CT_ORIGDST:
		return moat_attr_u32(a, &ct->orig_dst.addr);
	case MOAT_A_CT_ORIGDST_MASK:
		return moat_attr_u32(a, &ct->orig_dst.mask);
	case MOAT_A_CT_REPLSRC:
		return moat_attr_u32(a, &ct->repl_src.addr);
	case MOAT_A_CT_REPLSRC_MASK:
		return moat_attr_u32(a, &ct->repl_src.mask);
	case MOAT_A_CT_REPLDST:
		return moat_attr_u32(a, &ct->repl_dst.addr);
	case MOAT_A_CT_REPLDST_MASK:
		return moat_attr_u32(a, &ct->repl_dst.mask);
	case MOAT_A_CT_FLAGS:
		return moat_attr_u16(a, &ct->flags);
	case MOAT_A_CT_INV:
		return moat_attr_u16(a, &ct->inv);
	case MOAT_A_CT_DIR:
		return moat_attr_u8(a, &ct->dir);
	}
	return 0;
}

static int ct_decode(const struct nlattr *nest, void *data)
{
	const struct nlattr *a;
	int err;

	mnl_attr_for_each_nested(a, nest) {
		err = ct_attr(a, data);
		if (err)
			return err;
	}
	return 0;
}

const struct moat_ext moat_ext_state = {
	.name = "state",
	.size = sizeof(struct ct),
	.opts = state_opts,
	.parse = state_parse,
	.final_check = state_final_check,
	.print_save = state_save,
	.print_list = state_list,
	.encode = ct_encode,
	.decode = ct_decode,
};

const struct moat_ext moat_ext_conntrack = {
	.name = "conntrack",
	.size = sizeof(struct ct),
	.opts = conntrack_opts,
	.parse = conntrack_parse,
	.final_check = conntrack_final_check,
	.print_save = conntrack_save,
	.print_list = conntrack_list,
	.encode = ct_encode,
	.decode = ct_decode,
};
