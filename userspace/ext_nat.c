// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the NAT targets SNAT, DNAT, MASQUERADE and REDIRECT: one range of
 * addresses and ports each, read and printed as iptables' libxt_NAT.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

struct nat {
	uint32_t addr_min, addr_max;	/* network order */
	uint16_t port_min, port_max;
	uint32_t flags;			/* MOAT_NAT_F_* */
	bool shifted;			/* "/base" after a port range */
	uint16_t proto;			/* the rule's -p, for the port check */
};

enum { O_TO_DEST, O_TO_SRC, O_TO_PORTS, O_RANDOM, O_RANDOM_FULLY,
       O_PERSISTENT };

/* How one target reads and shows its range. */
struct nat_kind {
	const char *name;
	const struct moat_xt_rule *rules;
	const char *list_word;		/* -L: " to:", " masq ports: " */
	const char *save_word;		/* -S: " --to-source " */
	bool ports_only;		/* MASQUERADE, REDIRECT: no address */
};

static const struct moat_xt_rule snat_rules[] = {
	{ .name = "to-source", .id = O_TO_SRC, .mand = true },
	{ .name = "random", .id = O_RANDOM },
	{ .name = "random-fully", .id = O_RANDOM_FULLY },
	{ .name = "persistent", .id = O_PERSISTENT },
	{ .name = NULL },
};

static const struct moat_xt_rule dnat_rules[] = {
	{ .name = "to-destination", .id = O_TO_DEST, .mand = true },
	{ .name = "random", .id = O_RANDOM },
	{ .name = "persistent", .id = O_PERSISTENT },
	{ .name = NULL },
};

static const struct moat_xt_rule masq_rules[] = {
	{ .name = "to-ports", .id = O_TO_PORTS },
	{ .name = "random", .id = O_RANDOM },
	{ .name = "random-fully", .id = O_RANDOM_FULLY },
	{ .name = NULL },
};

static const struct moat_xt_rule redir_rules[] = {
	{ .name = "to-ports", .id = O_TO_PORTS },
	{ .name = "random", .id = O_RANDOM },
	{ .name = NULL },
};

static const struct nat_kind snat_kind = {
	"SNAT", snat_rules, " to:", " --to-source ", false,
};
static const struct nat_kind dnat_kind = {
	"DNAT", dnat_rules, " to:", " --to-destination ", false,
};
static const struct nat_kind masq_kind = {
	"MASQUERADE", masq_rules, " masq ports: ", " --to-ports ", true,
};
static const struct nat_kind redir_kind = {
	"REDIRECT", redir_rules, " redir ports ", " --to-ports ", true,
};

static const struct moat_ext_opt snat_opts[] = {
	{ "to-source", required_argument, O_TO_SRC },
	{ "random", no_argument, O_RANDOM },
	{ "random-fully", no_argument, O_RANDOM_FULLY },
	{ "persistent", no_argument, O_PERSISTENT },
	{ NULL, 0, 0 },
};

static const struct moat_ext_opt dnat_opts[] = {
	{ "to-destination", required_argument, O_TO_DEST },
	{ "random", no_argument, O_RANDOM },
	{ "persistent", no_argument, O_PERSISTENT },
	{ NULL, 0, 0 },
};

static const struct moat_ext_opt masq_opts[] = {
	{ "to-ports", required_argument, O_TO_PORTS },
	{ "random", no_argument, O_RANDOM },
	{ "random-fully", no_argument, O_RANDOM_FULLY },
	{ NULL, 0, 0 },
};

static const struct moat_ext_opt redir_opts[] = {
	{ "to-ports", required_argument, O_TO_PORTS },
	{ "random", no_argument, O_RANDOM },
	{ NULL, 0, 0 },
};

static void nat_set_proto(void *data, uint16_t proto, bool invert)
{
	(void)invert;	/* iptables looks at the number alone */
	((struct nat *)data)->proto = proto;
}

/* xtables_strtoui, then a service name; iptables' port words. */
static bool port_value(const char *arg, char **end, uint16_t *port,
		       unsigned int min)
{
	struct servent *se;
	uintmax_t v;

	if (moat_xt_strtoul(arg, end, &v, min, 0xffff)) {
		*port = v;
		return true;
	}
	se = getservbyname(arg, NULL);
	if (!se)
		return false;
	*port = ntohs(se->s_port);
	*end = (char *)"";
	return true;
}

/* "p", "p-q" or "p-q/base" (iptables' parse_ports). */
static void parse_ports(struct nat *n, const char *arg)
{
	uint16_t port, base;
	uintmax_t max;
	char *end;

	/* The ICMP id is NAT's "port" too: iptables takes it. */
	if (n->proto != IPPROTO_TCP && n->proto != IPPROTO_UDP &&
	    n->proto != IPPROTO_SCTP && n->proto != IPPROTO_DCCP &&
	    n->proto != IPPROTO_ICMP)
		moat_param_die("Need TCP, UDP, SCTP or DCCP with port specification");
	n->flags |= MOAT_NAT_F_PORTS;
	if (!port_value(arg, &end, &port, 0))
		moat_param_die("Port `%s' not valid", arg);
	if (*end == ':')
		moat_param_die("Invalid port:port syntax - use dash");
	if (*end != '\0' && *end != '-')
		moat_param_die("Garbage after port value: `%s'", end);
	n->port_min = n->port_max = port;
	if (*end == '\0')
		return;
	/* A range: no service names. */
	arg = end + 1;
	if (!moat_xt_strtoul(arg, &end, &max, 0, 0xffff))
		moat_param_die("Port `%s' not valid", arg);
	if (max < port)
		moat_param_die("Port range `%s' funky", arg);
	n->port_max = max;
	if (*end == '\0')
		return;
	if (*end != '/')
		moat_param_die("Garbage after port range: `%s'", end);
	arg = end + 1;
	if (!port_value(arg, &end, &base, 1))
		moat_param_die("Port `%s' not valid", arg);
	n->shifted = true;
}

static uint32_t parse_ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		moat_param_die("Bad IP address \"%s\"", s);
	return a.s_addr;
}

/* "[a[-b]][:p[-q]]" (iptables' parse_to, IPv4). */
static void parse_to(struct nat *n, const char *orig)
{
	char *arg = moat_xalloc(strdup(orig)), *colon, *dash;

	if (strchr(arg, '['))
		moat_param_die("Invalid address format");
	/* One colon is a port; more would be an IPv6 address. */
	colon = strchr(arg, ':');
	if (colon && strchr(colon + 1, ':'))
		colon = NULL;
	if (colon) {
		parse_ports(n, colon + 1);
		/* iptables skips the address before ":" at 0 and at 2 ("[]:"). */
		if (colon == arg || colon == arg + 2) {
			free(arg);
			return;
		}
		*colon = '\0';
	}
	n->flags |= MOAT_NAT_F_ADDR;
	dash = strchr(arg, '-');
	if (dash)
		*dash = '\0';
	n->addr_min = n->addr_max = parse_ip(arg);
	if (dash)
		n->addr_max = parse_ip(dash + 1);
	free(arg);
}

static void nat_parse(const struct nat_kind *k, int id, const char *arg,
		      bool invert, unsigned int *seen, struct nat *n)
{
	moat_xt_opt(k->name, k->rules, id, invert, seen);
	switch (id) {
	case O_TO_SRC:
	case O_TO_DEST:
		parse_to(n, arg);
		break;
	case O_TO_PORTS:
		parse_ports(n, arg);
		break;
	case O_RANDOM:
		n->flags |= MOAT_NAT_F_RANDOM;
		break;
	case O_RANDOM_FULLY:
		n->flags |= MOAT_NAT_F_RANDOM_FULLY;
		break;
	case O_PERSISTENT:
		n->flags |= MOAT_NAT_F_PERSISTENT;
		break;
	}
}

/*
 * iptables' "shifted portmap" (DNAT's /base) needs a kernel NAT revision
 * that the ABI does not carry: refused as iptables refuses it on a kernel
 * without one.
 */
static void nat_check(const struct nat_kind *k, unsigned int seen,
		      const struct nat *n)
{
	if (n->shifted)
		moat_param_die("Shifted portmap ranges not supported with this kernel");
	moat_xt_fcheck(k->name, k->rules, seen);
}

static void print_range(FILE *f, const struct nat_kind *k, const char *word,
			const struct nat *n)
{
	if (!(n->flags & (MOAT_NAT_F_ADDR | MOAT_NAT_F_PORTS)))
		return;
	fputs(word, f);
	if (n->flags & MOAT_NAT_F_ADDR) {
		fputs(moat_xt_ntoa(n->addr_min), f);
		if (n->addr_max != n->addr_min)
			fprintf(f, "-%s", moat_xt_ntoa(n->addr_max));
	}
	if (n->flags & MOAT_NAT_F_PORTS) {
		/* MASQUERADE and REDIRECT show ports without the colon. */
		if (!k->ports_only || (n->flags & MOAT_NAT_F_ADDR))
			fputc(':', f);
		fprintf(f, "%u", n->port_min);
		if (n->port_max != n->port_min)
			fprintf(f, "-%u", n->port_max);
	}
}

static void print_flags(FILE *f, const char *pfx, const struct nat *n)
{
	if (n->flags & MOAT_NAT_F_RANDOM)
		fprintf(f, " %srandom", pfx);
	if (n->flags & MOAT_NAT_F_RANDOM_FULLY)
		fprintf(f, " %srandom-fully", pfx);
	if (n->flags & MOAT_NAT_F_PERSISTENT)
		fprintf(f, " %spersistent", pfx);
}

static void nat_save(const struct nat_kind *k, FILE *f, const struct nat *n)
{
	print_range(f, k, k->save_word, n);
	print_flags(f, "--", n);
}

static void nat_list(const struct nat_kind *k, FILE *f, const struct nat *n)
{
	print_range(f, k, k->list_word, n);
	print_flags(f, "", n);
}

static int nat_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct nat *n = data;

	if (n->flags & MOAT_NAT_F_ADDR &&
	    (!mnl_attr_put_check(nlh, buflen, MOAT_A_NAT_ADDR_MIN, 4, &n->addr_min) ||
	     !mnl_attr_put_check(nlh, buflen, MOAT_A_NAT_ADDR_MAX, 4, &n->addr_max)))
		return -EMSGSIZE;
	if (n->flags & MOAT_NAT_F_PORTS &&
	    (!mnl_attr_put_u16_check(nlh, buflen, MOAT_A_NAT_PORT_MIN, n->port_min) ||
	     !mnl_attr_put_u16_check(nlh, buflen, MOAT_A_NAT_PORT_MAX, n->port_max)))
		return -EMSGSIZE;
	if (!mnl_attr_put_u32_check(nlh, buflen, MOAT_A_NAT_FLAGS, n->flags))
		return -EMSGSIZE;
	return 0;
}

static int nat_attr(const struct nlattr *a, struct nat *n)
{
	switch (mnl_attr_get_type(a)) {
	case MOAT_A_NAT_ADDR_MIN:
		return moat_attr_u32(a, &n->addr_min);
	case MOAT_A_NAT_ADDR_MAX:
		return moat_attr_u32(a, &n->addr_max);
	case MOAT_A_NAT_PORT_MIN:
		return moat_attr_u16(a, &n->port_min);
	case MOAT_A_NAT_PORT_MAX:
		return moat_attr_u16(a, &n->port_max);
	case MOAT_A_NAT_FLAGS:
		return moat_attr_u32(a, &n->flags);
	}
	return 0;
}

static int nat_decode(const struct nlattr *nest, void *data)
{
	const struct nlattr *a;
	int err;

	mnl_attr_for_each_nested(a, nest) {
		err = nat_attr(a, data);
		if (err)
			return err;
	}
	return 0;
}

/* One set of entry points per target, each with its kind. */
#define NAT_TARGET(ident, tname, kind, optab)					\
static void ident##_parse(int id, const char *arg, bool invert,	\
			  unsigned int *seen, void *data, int argc,	\
			  char **argv)					\
{									\
	(void)argc;							\
	(void)argv;							\
	nat_parse(&kind, id, arg, invert, seen, data);			\
}									\
static void ident##_check(unsigned int seen, void *data)		\
{									\
	nat_check(&kind, seen, data);					\
}									\
static void ident##_save(FILE *f, const void *data)			\
{									\
	nat_save(&kind, f, data);					\
}									\
static void ident##_list(FILE *f, const void *data, bool numeric)	\
{									\
	(void)numeric;							\
	nat_list(&kind, f, data);					\
}									\
const struct moat_ext moat_ext_##ident = {				\
	.name = tname,							\
	.size = sizeof(struct nat),					\
	.opts = optab,							\
	.parse = ident##_parse,						\
	.check = ident##_check,						\
	.set_proto = nat_set_proto,					\
	.print_save = ident##_save,					\
	.print_list = ident##_list,					\
	.encode = nat_encode,						\
	.decode = nat_decode,						\
}

NAT_TARGET(snat, "SNAT", snat_kind, snat_opts);
NAT_TARGET(dnat, "DNAT", dnat_kind, dnat_opts);
NAT_TARGET(masquerade, "MASQUERADE", masq_kind, masq_opts);
NAT_TARGET(redirect, "REDIRECT", redir_kind, redir_opts);
