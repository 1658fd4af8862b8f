// SPDX-License-Identifier: GPL-2.0
/* moat: the "icmp" match (--icmp-type type[/code] or a name). */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <strings.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

struct icmp {
	uint8_t type;		/* 255: any */
	uint8_t code[2];	/* inclusive range */
	bool inv;
};

enum { O_TYPE = 1 };

static const struct moat_ext_opt icmp_opts[] = {
	{ "icmp-type", required_argument, O_TYPE },
	{ NULL, 0, 0 },
};

/* iptables' names, in its order: -L prints the first that fits. */
static const struct {
	const char *name;
	uint8_t type, code_min, code_max;
} icmp_names[] = {
	{ "any", 0xff, 0, 0xff },
	{ "echo-reply", 0, 0, 0xff },
	{ "pong", 0, 0, 0xff },
	{ "destination-unreachable", 3, 0, 0xff },
	{ "network-unreachable", 3, 0, 0 },
	{ "host-unreachable", 3, 1, 1 },
	{ "protocol-unreachable", 3, 2, 2 },
	{ "port-unreachable", 3, 3, 3 },
	{ "fragmentation-needed", 3, 4, 4 },
	{ "source-route-failed", 3, 5, 5 },
	{ "network-unknown", 3, 6, 6 },
	{ "host-unknown", 3, 7, 7 },
	{ "network-prohibited", 3, 9, 9 },
	{ "host-prohibited", 3, 10, 10 },
	{ "TOS-network-unreachable", 3, 11, 11 },
	{ "TOS-host-unreachable", 3, 12, 12 },
	{ "communication-prohibited", 3, 13, 13 },
	{ "host-precedence-violation", 3, 14, 14 },
	{ "precedence-cutoff", 3, 15, 15 },
	{ "source-quench", 4, 0, 0xff },
	{ "redirect", 5, 0, 0xff },
	{ "network-redirect", 5, 0, 0 },
	{ "host-redirect", 5, 1, 1 },
	{ "TOS-network-redirect", 5, 2, 2 },
	{ "TOS-host-redirect", 5, 3, 3 },
	{ "echo-request", 8, 0, 0xff },
	{ "ping", 8, 0, 0xff },
	{ "router-advertisement", 9, 0, 0xff },
	{ "router-solicitation", 10, 0, 0xff },
	{ "time-exceeded", 11, 0, 0xff },
	{ "ttl-exceeded", 11, 0, 0xff },
	{ "ttl-zero-during-transit", 11, 0, 0 },
	{ "ttl-zero-during-reassembly", 11, 1, 1 },
	{ "parameter-problem", 12, 0, 0xff },
	{ "ip-header-bad", 12, 0, 0 },
	{ "required-option-missing", 12, 1, 1 },
	{ "timestamp-request", 13, 0, 0xff },
	{ "timestamp-reply", 14, 0, 0xff },
	{ "address-mask-request", 17, 0, 0xff },
	{ "address-mask-reply", 18, 0, 0xff },
};

#define N_NAMES (sizeof(icmp_names) / sizeof(icmp_names[0]))

/* Any unambiguous prefix of a name, in any case, as iptables allows. */
static int find_name(const char *arg)
{
	size_t i, len = strlen(arg);
	int found = -1;

	for (i = 0; i < N_NAMES; i++) {
		if (strncasecmp(icmp_names[i].name, arg, len) != 0)
			continue;
		if (found >= 0)
			moat_param_die("Ambiguous ICMP type `%s': `%s' or `%s'?",
				       arg, icmp_names[found].name,
				       icmp_names[i].name);
		found = i;
	}
	return found;
}

static void parse_numeric(const char *arg, struct icmp *ic)
{
	char buf[strlen(arg) + 1];
	char *slash;
	unsigned int v;

	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (!moat_strtoui(buf, &v, 0, 255))
		moat_param_die("Unknown ICMP type `%s'", arg);
	ic->type = v;
	ic->code[0] = 0;
	ic->code[1] = 0xff;
	if (!slash)
		return;
	if (!moat_strtoui(slash + 1, &v, 0, 255))
		moat_param_die("Unknown ICMP code `%s'", arg);
	ic->code[0] = ic->code[1] = v;
}

static void icmp_parse(int id, const char *arg, bool invert,
		       unsigned int *seen, void *data, int argc, char **argv)
{
	struct icmp *ic = data;
	int i;

	(void)id;
	(void)argc;
	(void)argv;
	if (*seen)
		moat_param_die("icmp: option \"--icmp-type\" can only be used once.\n");
	*seen = 1;
	i = find_name(arg);
	if (i >= 0) {
		ic->type = icmp_names[i].type;
		ic->code[0] = icmp_names[i].code_min;
		ic->code[1] = icmp_names[i].code_max;
	} else {
		parse_numeric(arg, ic);
	}
	ic->inv = invert;
}

static void icmp_final_check(unsigned int seen)
{
	if (!seen)
		moat_param_die("icmp: option \"--icmp-type\" must be specified\n");
}

static void icmp_save(FILE *f, const void *data)
{
	const struct icmp *ic = data;

	fputs(ic->inv ? " !" : "", f);
	/* iptables' special case: type 255 saves as "any", codes or not */
	if (ic->type == 0xff) {
		fputs(" --icmp-type any", f);
		return;
	}
	fprintf(f, " --icmp-type %u", ic->type);
	if (ic->code[0] != 0 || ic->code[1] != 0xff)
		fprintf(f, "/%u", ic->code[0]);
}

static void icmp_list(FILE *f, const void *data, bool numeric)
{
	const struct icmp *ic = data;
	size_t i;

	fputs(" icmp", f);
	for (i = 0; !numeric && i < N_NAMES; i++) {
		if (icmp_names[i].type == ic->type &&
		    icmp_names[i].code_min == ic->code[0] &&
		    icmp_names[i].code_max == ic->code[1]) {
			fprintf(f, " %s%s", ic->inv ? "!" : "",
				icmp_names[i].name);
			return;
		}
	}
	/* No space before "type": iptables prints "icmptype 8". */
	fprintf(f, "%stype %u", ic->inv ? " !" : "", ic->type);
	if (ic->code[0] == ic->code[1])
		fprintf(f, " code %u", ic->code[0]);
	else if (ic->code[0] != 0 || ic->code[1] != 0xff)
		fprintf(f, " codes %u-%u", ic->code[0], ic->code[1]);
}

static int icmp_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct icmp *ic = data;

	if (!mnl_attr_put_u8_check(nlh, buflen, MOAT_A_ICMP_TYPE, ic->type) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_ICMP_CODE_MIN,
				   ic->code[0]) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_ICMP_CODE_MAX,
				   ic->code[1]))
		return -EMSGSIZE;
	if (ic->inv && !mnl_attr_put_check(nlh, buflen, MOAT_A_ICMP_INV, 0,
					   NULL))
		return -EMSGSIZE;
	return 0;
}

static int icmp_attr(const struct nlattr *a, struct icmp *ic)
{
	switch (mnl_attr_get_type(a)) {
	case MOAT_A_ICMP_TYPE:
		return moat_attr_u8(a, &ic->type);
	case MOAT_A_ICMP_CODE_MIN:
		return moat_attr_u8(a, &ic->code[0]);
	case MOAT_A_ICMP_CODE_MAX:
		return moat_attr_u8(a, &ic->code[1]);
	case MOAT_A_ICMP_INV:
		ic->inv = true;
		return 0;
	}
	return 0;	/* from a newer kernel: skipped */
}

static int icmp_decode(const struct nlattr *nest, void *data)
{
	const struct nlattr *a;
	int err;

	mnl_attr_for_each_nested(a, nest) {
		err = icmp_attr(a, data);
		if (err)
			return err;
	}
	return 0;
}

static void icmp_init(void *data)
{
	struct icmp *ic = data;

	ic->type = 0xff;
	ic->code[1] = 0xff;
}

const struct moat_ext moat_ext_icmp = {
	.name = "icmp",
	.proto = 1,
	.size = sizeof(struct icmp),
	.opts = icmp_opts,
	.init = icmp_init,
	.parse = icmp_parse,
	.final_check = icmp_final_check,
	.print_save = icmp_save,
	.print_list = icmp_list,
	.encode = icmp_encode,
	.decode = icmp_decode,
};
