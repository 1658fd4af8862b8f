// SPDX-License-Identifier: GPL-2.0
/* moat: the "recent" match (--set, --rcheck, --update, --remove, ...). */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

struct recent {
	char name[MOAT_RECENT_NAME_LEN];
	uint8_t mode;		/* MOAT_RECENT_SET ... */
	uint8_t flags;		/* MOAT_RECENT_F_* */
	uint32_t seconds, hitcount;
	uint32_t mask;		/* network order */
	bool inv;
};

enum {
	O_SET, O_RCHECK, O_UPDATE, O_REMOVE, O_SECONDS, O_REAP, O_HITCOUNT,
	O_RTTL, O_NAME, O_RSOURCE, O_RDEST, O_MASK,
};
#define F_OPS 0xf

static const struct moat_ext_opt recent_opts[] = {
	{ "set", no_argument, O_SET },
	{ "rcheck", no_argument, O_RCHECK },
	{ "update", no_argument, O_UPDATE },
	{ "remove", no_argument, O_REMOVE },
	{ "seconds", required_argument, O_SECONDS },
	{ "reap", no_argument, O_REAP },
	{ "hitcount", required_argument, O_HITCOUNT },
	{ "rttl", no_argument, O_RTTL },
	{ "name", required_argument, O_NAME },
	{ "rsource", no_argument, O_RSOURCE },
	{ "rdest", no_argument, O_RDEST },
	{ "mask", required_argument, O_MASK },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule recent_rules[] = {
	{ .name = "set", .id = O_SET, .excl = F_OPS, .invert = true },
	{ .name = "rcheck", .id = O_RCHECK, .excl = F_OPS, .invert = true },
	{ .name = "update", .id = O_UPDATE, .excl = F_OPS, .invert = true },
	{ .name = "remove", .id = O_REMOVE, .excl = F_OPS, .invert = true },
	{ .name = "seconds", .id = O_SECONDS },
	{ .name = "reap", .id = O_REAP, .also = 1u << O_SECONDS },
	{ .name = "hitcount", .id = O_HITCOUNT },
	{ .name = "rttl", .id = O_RTTL,
	  .excl = (1u << O_SET) | (1u << O_REMOVE) },
	{ .name = "name", .id = O_NAME },
	{ .name = "rsource", .id = O_RSOURCE },
	{ .name = "rdest", .id = O_RDEST },
	{ .name = "mask", .id = O_MASK },
	{ .name = NULL },
};

static void recent_init(void *data)
{
	struct recent *rc = data;

	strcpy(rc->name, "DEFAULT");
	rc->flags = MOAT_RECENT_F_RSOURCE;
	rc->mask = 0xffffffff;
}

/* XTTYPE_HOST: one address, by getaddrinfo. */
static uint32_t parse_host(const char *arg)
{
	struct addrinfo hints = { .ai_family = AF_INET }, *res, *ai;
	uint32_t addr = 0, a;
	int err = getaddrinfo(arg, NULL, &hints, &res);

	if (err)
		moat_param_die("getaddrinfo: %s\n", gai_strerror(err));
	for (ai = res; ai; ai = ai->ai_next) {
		a = ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr;
		if (ai != res && a != addr)
			moat_param_die("%s resolves to more than one address\n",
				       arg);
		addr = a;
	}
	freeaddrinfo(res);
	return addr;
}

static const uint8_t op_modes[] = {
	[O_SET] = MOAT_RECENT_SET, [O_RCHECK] = MOAT_RECENT_CHECK,
	[O_UPDATE] = MOAT_RECENT_UPDATE, [O_REMOVE] = MOAT_RECENT_REMOVE,
};

static void recent_parse(int id, const char *arg, bool invert,
			 unsigned int *seen, void *data, int argc, char **argv)
{
	struct recent *rc = data;

	(void)argc;
	(void)argv;
	moat_xt_opt("recent", recent_rules, id, invert, seen);
	switch (id) {
	case O_SET:
	case O_RCHECK:
	case O_UPDATE:
	case O_REMOVE:
		rc->mode = op_modes[id];
		if (invert)
			rc->inv = true;
		break;
	case O_SECONDS:
		rc->seconds = moat_xt_uint("recent", "seconds", arg, 1, 0xffffffff);
		break;
	case O_HITCOUNT:
		rc->hitcount = moat_xt_uint("recent", "hitcount", arg, 0, 0xffffffff);
		break;
	case O_REAP:
		rc->flags |= MOAT_RECENT_F_REAP;
		break;
	case O_RTTL:
		rc->flags |= MOAT_RECENT_F_RTTL;
		break;
	case O_NAME:
		snprintf(rc->name, sizeof(rc->name), "%s", arg);
		break;
	case O_RSOURCE:
	case O_RDEST:
		rc->flags &= ~(MOAT_RECENT_F_RSOURCE | MOAT_RECENT_F_RDEST);
		rc->flags |= id == O_RSOURCE ? MOAT_RECENT_F_RSOURCE :
					       MOAT_RECENT_F_RDEST;
		break;
	case O_MASK:
		rc->mask = parse_host(arg);
		break;
	}
}

static void recent_final_check(unsigned int seen)
{
	if (!(seen & F_OPS))
		moat_param_die("recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
	moat_xt_fcheck("recent", recent_rules, seen);
}

static const char *const mode_words[][2] = {
	[MOAT_RECENT_SET] = { " --set", " SET" },
	[MOAT_RECENT_CHECK] = { " --rcheck", " CHECK" },
	[MOAT_RECENT_UPDATE] = { " --update", " UPDATE" },
	[MOAT_RECENT_REMOVE] = { " --remove", " REMOVE" },
};

static void recent_save(FILE *f, const void *data)
{
	const struct recent *rc = data;

	fputs(rc->inv ? " !" : "", f);
	if (rc->mode >= MOAT_RECENT_SET && rc->mode <= MOAT_RECENT_REMOVE)
		fputs(mode_words[rc->mode][0], f);
	if (rc->seconds)
		fprintf(f, " --seconds %u", rc->seconds);
	if (rc->flags & MOAT_RECENT_F_REAP)
		fputs(" --reap", f);
	if (rc->hitcount)
		fprintf(f, " --hitcount %u", rc->hitcount);
	if (rc->flags & MOAT_RECENT_F_RTTL)
		fputs(" --rttl", f);
	fprintf(f, " --name %s --mask %s", rc->name, moat_xt_ntoa(rc->mask));
	if (rc->flags & MOAT_RECENT_F_RSOURCE)
		fputs(" --rsource", f);
	if (rc->flags & MOAT_RECENT_F_RDEST)
		fputs(" --rdest", f);
}

static void recent_list(FILE *f, const void *data, bool numeric)
{
	const struct recent *rc = data;

	(void)numeric;
	fputs(rc->inv ? " ! recent:" : " recent:", f);
	if (rc->mode >= MOAT_RECENT_SET && rc->mode <= MOAT_RECENT_REMOVE)
		fputs(mode_words[rc->mode][1], f);
	if (rc->seconds)
		fprintf(f, " seconds: %u", rc->seconds);
	if (rc->flags & MOAT_RECENT_F_REAP)
		fputs(" reap", f);
	if (rc->hitcount)
		fprintf(f, " hit_count: %u", rc->hitcount);
	if (rc->flags & MOAT_RECENT_F_RTTL)
		fputs(" TTL-Match", f);
	fprintf(f, " name: %s", rc->name);
	if (rc->flags & MOAT_RECENT_F_RSOURCE)
		fputs(" side: source", f);
	if (rc->flags & MOAT_RECENT_F_RDEST)
		fputs(" side: dest", f);
	fprintf(f, " mask: %s", moat_xt_ntoa(rc->mask));
}

static int recent_encode(struct nlmsghdr *nlh, size_t buflen,
			 const void *data)
{
	const struct recent *rc = data;

	if (!mnl_attr_put_strz_check(nlh, buflen, MOAT_A_RECENT_NAME, rc->name) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_RECENT_MODE, rc->mode) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_RECENT_SECONDS,
				    rc->seconds) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_RECENT_HITCOUNT,
				    rc->hitcount) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_RECENT_FLAGS, rc->flags) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_RECENT_MASK, rc->mask))
		return -EMSGSIZE;
	if (rc->inv && !mnl_attr_put_check(nlh, buflen, MOAT_A_RECENT_INV, 0,
					   NULL))
		return -EMSGSIZE;
	return 0;
}

static int recent_attr(const struct nlattr *a, struct recent *rc)
{
	switch (mnl_attr_get_type(a)) {
	case MOAT_A_RECENT_NAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return -EINVAL;
		snprintf(rc->name, sizeof(rc->name), "%s", mnl_attr_get_str(a));
		return 0;
	case MOAT_A_RECENT_MODE:
		return moat_attr_u8(a, &rc->mode);
	case MOAT_A_RECENT_SECONDS:
		return moat_attr_u32(a, &rc->seconds);
	case MOAT_A_RECENT_HITCOUNT:
		return moat_attr_u32(a, &rc->hitcount);
	case MOAT_A_RECENT_FLAGS:
		return moat_attr_u8(a, &rc->flags);
	case MOAT_A_RECENT_MASK:
		return moat_attr_u32(a, &rc->mask);
	case MOAT_A_RECENT_INV:
		rc->inv = true;
	}
	return 0;
}

static int recent_decode(const struct nlattr *nest, void *data)
{
	const struct nlattr *a;
	int err;

	mnl_attr_for_each_nested(a, nest) {
		err = recent_attr(a, data);
		if (err)
			return err;
	}
	return 0;
}

const struct moat_ext moat_ext_recent = {
	.name = "recent",
	.size = sizeof(struct recent),
	.opts = recent_opts,
	.init = recent_init,
	.parse = recent_parse,
	.final_check = recent_final_check,
	.print_save = recent_save,
	.print_list = recent_list,
	.encode = recent_encode,
	.decode = recent_decode,
};
