// SPDX-License-Identifier: GPL-2.0
/* moat: the "REJECT" target (--reject-with type). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

struct reject {
	uint8_t with;		/* MOAT_REJECT_* */
};

enum { O_WITH = 1 };

static const struct moat_ext_opt reject_opts[] = {
	{ "reject-with", required_argument, O_WITH },
	{ NULL, 0, 0 },
};

/* iptables' table, by MOAT_REJECT_* (its IPT_* values); echo-reply is gone. */
static const struct {
	const char *name, *alias;
} reject_names[__MOAT_REJECT_MAX] = {
	[MOAT_REJECT_ICMP_NET_UNREACHABLE] = { "icmp-net-unreachable", "net-unreach" },
	[MOAT_REJECT_ICMP_HOST_UNREACHABLE] = { "icmp-host-unreachable", "host-unreach" },
	[MOAT_REJECT_ICMP_PROT_UNREACHABLE] = { "icmp-proto-unreachable", "proto-unreach" },
	[MOAT_REJECT_ICMP_PORT_UNREACHABLE] = { "icmp-port-unreachable", "port-unreach" },
	[MOAT_REJECT_ICMP_NET_PROHIBITED] = { "icmp-net-prohibited", "net-prohib" },
	[MOAT_REJECT_ICMP_HOST_PROHIBITED] = { "icmp-host-prohibited", "host-prohib" },
	[MOAT_REJECT_TCP_RESET] = { "tcp-reset", "tcp-rst" },
	[MOAT_REJECT_ICMP_ADMIN_PROHIBITED] = { "icmp-admin-prohibited", "admin-prohib" },
};

static void reject_init(void *data)
{
	struct reject *rej = data;

	rej->with = MOAT_REJECT_ICMP_PORT_UNREACHABLE;
}

/* As iptables: @s abbreviates the name (any case); "" is the first. */
static bool abbreviates(const char *s, const char *name)
{
	return strncasecmp(name, s, strlen(s)) == 0;
}

static void reject_parse(int id, const char *arg, bool invert,
			 unsigned int *seen, void *data, int argc, char **argv)
{
	struct reject *rej = data;
	unsigned int i;

	(void)id;
	(void)argc;
	(void)argv;
	if (*seen)
		moat_param_die("REJECT: option \"--reject-with\" can only be used once.\n");
	if (invert)
		moat_param_die("REJECT: option \"--reject-with\" cannot be inverted.\n");
	*seen = 1;
	for (i = 0; i < __MOAT_REJECT_MAX; i++) {
		if (!reject_names[i].name)
			continue;
		if (abbreviates(arg, reject_names[i].name) ||
		    abbreviates(arg, reject_names[i].alias)) {
			rej->with = i;
			return;
		}
	}
	if (abbreviates(arg, "echo-reply") || abbreviates(arg, "echoreply"))
		fprintf(stderr, "--reject-with echo-reply no longer supported\n");
	moat_param_die("unknown reject type \"%s\"", arg);
}

static const char *reject_name(const struct reject *rej)
{
	if (rej->with < __MOAT_REJECT_MAX && reject_names[rej->with].name)
		return reject_names[rej->with].name;
	return "(null)";
}

static void reject_save(FILE *f, const void *data)
{
	fprintf(f, " --reject-with %s", reject_name(data));
}

static void reject_list(FILE *f, const void *data, bool numeric)
{
	(void)numeric;
	fprintf(f, " reject-with %s", reject_name(data));
}

static int reject_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct reject *rej = data;

	if (!mnl_attr_put_u8_check(nlh, buflen, MOAT_A_REJECT_WITH, rej->with))
		return -EMSGSIZE;
	return 0;
}

static int reject_decode(const struct nlattr *nest, void *data)
{
	struct reject *rej = data;
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == MOAT_A_REJECT_WITH &&
		    moat_attr_u8(a, &rej->with))
			return -EINVAL;
	return 0;
}

const struct moat_ext moat_ext_reject = {
	.name = "REJECT",
	.size = sizeof(struct reject),
	.opts = reject_opts,
	.init = reject_init,
	.parse = reject_parse,
	.print_save = reject_save,
	.print_list = reject_list,
	.encode = reject_encode,
	.decode = reject_decode,
};
