// SPDX-License-Identifier: GPL-2.0
/* moat: the "iprange" and "addrtype" matches. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

static int attr_be32(const struct nlattr *a, uint32_t *v)
{
	return moat_attr_u32(a, v);	/* same size; kept in network order */
}

/* --- iprange ------------------------------------------------------------- */

struct iprange {
	uint32_t src[2], dst[2];	/* network order */
	uint8_t flags;			/* MOAT_IPRANGE_* */
};

enum { O_SRC_RANGE, O_DST_RANGE };

static const struct moat_ext_opt iprange_opts[] = {
	{ "src-range", required_argument, O_SRC_RANGE },
	{ "dst-range", required_argument, O_DST_RANGE },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule iprange_rules[] = {
	{ .name = "src-range", .id = O_SRC_RANGE, .invert = true },
	{ .name = "dst-range", .id = O_DST_RANGE, .invert = true },
	{ .name = NULL },
};

static void parse_range(const char *arg, const char *opt, uint32_t *range)
{
	char buf[strlen(arg) + 1];
	char *dash;
	const char *to;

	strcpy(buf, arg);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	to = dash ? dash + 1 : buf;
	if (!moat_xt_dotted(buf, &range[0]))
		moat_param_die("iprange: Bad value for \"%s\" option: \"%s\"",
			       opt, buf);
	if (!moat_xt_dotted(to, &range[1]))
		moat_param_die("iprange: Bad value for \"%s\" option: \"%s\"",
			       opt, to);
	if (dash && memcmp(&range[0], &range[1], 4) > 0)
		fprintf(stderr, "xt_iprange: range %s-%s is reversed and will never match\n",
			buf, to);
}

static void iprange_parse(int id, const char *arg, bool invert,
			  unsigned int *seen, void *data, int argc, char **argv)
{
	struct iprange *ir = data;
	bool src = id == O_SRC_RANGE;

	(void)argc;
	(void)argv;
	moat_xt_opt("iprange", iprange_rules, id, invert, seen);
	parse_range(arg, src ? "--src-range" : "--dst-range",
		    src ? ir->src : ir->dst);
	ir->flags |= src ? MOAT_IPRANGE_SRC : MOAT_IPRANGE_DST;
	if (invert)
		ir->flags |= src ? MOAT_IPRANGE_SRC_INV : MOAT_IPRANGE_DST_INV;
}

static void iprange_final_check(unsigned int seen)
{
	if (!seen)
		moat_param_die("iprange match: You must specify `--src-range' or `--dst-range'");
	moat_xt_fcheck("iprange", iprange_rules, seen);
}

static void iprange_save(FILE *f, const void *data)
{
	const struct iprange *ir = data;

	if (ir->flags & MOAT_IPRANGE_SRC)
		fprintf(f, "%s --src-range %s-%s",
			ir->flags & MOAT_IPRANGE_SRC_INV ? " !" : "",
			moat_xt_ntoa(ir->src[0]), moat_xt_ntoa(ir->src[1]));
	if (ir->flags & MOAT_IPRANGE_DST)
		fprintf(f, "%s --dst-range %s-%s",
			ir->flags & MOAT_IPRANGE_DST_INV ? " !" : "",
			moat_xt_ntoa(ir->dst[0]), moat_xt_ntoa(ir->dst[1]));
}

static void iprange_list(FILE *f, const void *data, bool numeric)
{
	const struct iprange *ir = data;

	(void)numeric;
	if (ir->flags & MOAT_IPRANGE_SRC)
		fprintf(f, " source IP range%s %s-%s",
			ir->flags & MOAT_IPRANGE_SRC_INV ? " !" : "",
			moat_xt_ntoa(ir->src[0]), moat_xt_ntoa(ir->src[1]));
	if (ir->flags & MOAT_IPRANGE_DST)
		fprintf(f, " destination IP range%s %s-%s",
			ir->flags & MOAT_IPRANGE_DST_INV ? " !" : "",
			moat_xt_ntoa(ir->dst[0]), moat_xt_ntoa(ir->dst[1]));
}

static int iprange_encode(struct nlmsghdr *nlh, size_t buflen,
			  const void *data)
{
	const struct iprange *ir = data;

	if (!mnl_attr_put_u8_check(nlh, buflen, MOAT_A_IPRANGE_FLAGS, ir->flags) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_IPRANGE_SRC_MIN, ir->src[0]) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_IPRANGE_SRC_MAX, ir->src[1]) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_IPRANGE_DST_MIN, ir->dst[0]) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_IPRANGE_DST_MAX, ir->dst[1]))
		return -EMSGSIZE;
	return 0;
}

static int iprange_attr(const struct nlattr *a, void *data)
{
	struct iprange *ir = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_IPRANGE_FLAGS:
		return moat_attr_u8(a, &ir->flags);
	case MOAT_A_IPRANGE_SRC_MIN:
		return attr_be32(a, &ir->src[0]);
	case MOAT_A_IPRANGE_SRC_MAX:
		return attr_be32(a, &ir->src[1]);
	case MOAT_A_IPRANGE_DST_MIN:
		return attr_be32(a, &ir->dst[0]);
	case MOAT_A_IPRANGE_DST_MAX:
		return attr_be32(a, &ir->dst[1]);
	}
	return 0;
}

static int iprange_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, iprange_attr);
}

const struct moat_ext moat_ext_iprange = {
	.name = "iprange",
	.size = sizeof(struct iprange),
	.opts = iprange_opts,
	.parse = iprange_parse,
	.final_check = iprange_final_check,
	.print_save = iprange_save,
	.print_list = iprange_list,
	.encode = iprange_encode,
	.decode = iprange_decode,
};

/* --- addrtype ------------------------------------------------------------ */

struct addrtype {
	uint16_t source, dest;		/* bit (1 << RTN_*) */
	uint32_t flags;			/* MOAT_ADDRTYPE_* */
};

enum { O_SRC_TYPE, O_DST_TYPE, O_LIMIT_IN, O_LIMIT_OUT };

static const struct moat_ext_opt addrtype_opts[] = {
	{ "src-type", required_argument, O_SRC_TYPE },
	{ "dst-type", required_argument, O_DST_TYPE },
	{ "limit-iface-in", no_argument, O_LIMIT_IN },
	{ "limit-iface-out", no_argument, O_LIMIT_OUT },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule addrtype_rules[] = {
	{ .name = "src-type", .id = O_SRC_TYPE, .invert = true },
	{ .name = "dst-type", .id = O_DST_TYPE, .invert = true },
	{ .name = "limit-iface-in", .id = O_LIMIT_IN, .excl = 1u << O_LIMIT_OUT },
	{ .name = "limit-iface-out", .id = O_LIMIT_OUT, .excl = 1u << O_LIMIT_IN },
	{ .name = NULL },
};

/* RTN_*, in order. */
static const char *const rtn_names[] = {
	"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
	"BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE",
};
#define N_RTN (sizeof(rtn_names) / sizeof(rtn_names[0]))

/* Any prefix of a name, in any case; the first that fits wins. */
static bool parse_type(const char *name, size_t len, uint16_t *mask)
{
	size_t i;

	for (i = 0; i < N_RTN; i++) {
		if (strncasecmp(name, rtn_names[i], len) == 0) {
			*mask |= 1u << i;
			return true;
		}
	}
	return false;
}

static void parse_types(const char *arg, uint16_t *mask)
{
	const char *comma;

	while ((comma = strchr(arg, ','))) {
		if (comma == arg || !parse_type(arg, comma - arg, mask))
			moat_param_die("addrtype: bad type `%s'", arg);
		arg = comma + 1;
	}
	if (!*arg || !parse_type(arg, strlen(arg), mask))
		moat_param_die("addrtype: bad type \"%s\"", arg);
}

static void addrtype_parse(int id, const char *arg, bool invert,
			   unsigned int *seen, void *data, int argc,
			   char **argv)
{
	struct addrtype *at = data;

	(void)argc;
	(void)argv;
	moat_xt_opt("addrtype", addrtype_rules, id, invert, seen);
	switch (id) {
	case O_SRC_TYPE:
		parse_types(arg, &at->source);
		if (invert)
			at->flags |= MOAT_ADDRTYPE_INVERT_SOURCE;
		break;
	case O_DST_TYPE:
		parse_types(arg, &at->dest);
		if (invert)
			at->flags |= MOAT_ADDRTYPE_INVERT_DEST;
		break;
	case O_LIMIT_IN:
		at->flags |= MOAT_ADDRTYPE_LIMIT_IFACE_IN;
		break;
	case O_LIMIT_OUT:
		at->flags |= MOAT_ADDRTYPE_LIMIT_IFACE_OUT;
		break;
	}
}

static void addrtype_final_check(unsigned int seen)
{
	if (!(seen & ((1u << O_SRC_TYPE) | (1u << O_DST_TYPE))))
		moat_param_die("addrtype: you must specify --src-type or --dst-type");
	moat_xt_fcheck("addrtype", addrtype_rules, seen);
}

static void print_types(FILE *f, uint16_t mask)
{
	const char *sep = "";
	size_t i;

	for (i = 0; i < N_RTN; i++) {
		if (mask & (1u << i)) {
			fprintf(f, "%s%s", sep, rtn_names[i]);
			sep = ",";
		}
	}
}

static void print_limits(FILE *f, uint32_t flags, const char *in,
			 const char *out)
{
	if (flags & MOAT_ADDRTYPE_LIMIT_IFACE_IN)
		fputs(in, f);
	if (flags & MOAT_ADDRTYPE_LIMIT_IFACE_OUT)
		fputs(out, f);
}

static void addrtype_save(FILE *f, const void *data)
{
	const struct addrtype *at = data;

	if (at->source) {
		fputs(at->flags & MOAT_ADDRTYPE_INVERT_SOURCE ?
		      " ! --src-type " : " --src-type ", f);
		print_types(f, at->source);
	}
	if (at->dest) {
		fputs(at->flags & MOAT_ADDRTYPE_INVERT_DEST ?
		      " ! --dst-type " : " --dst-type ", f);
		print_types(f, at->dest);
	}
	print_limits(f, at->flags, " --limit-iface-in", " --limit-iface-out");
}

static void addrtype_list(FILE *f, const void *data, bool numeric)
{
	const struct addrtype *at = data;

	(void)numeric;
	fputs(" ADDRTYPE match", f);
	if (at->source) {
		fputs(at->flags & MOAT_ADDRTYPE_INVERT_SOURCE ?
		      " src-type !" : " src-type ", f);
		print_types(f, at->source);
	}
	if (at->dest) {
		fputs(at->flags & MOAT_ADDRTYPE_INVERT_DEST ?
		      " dst-type !" : " dst-type ", f);
		print_types(f, at->dest);
	}
	print_limits(f, at->flags, " limit-in", " limit-out");
}

static int addrtype_encode(struct nlmsghdr *nlh, size_t buflen,
			   const void *data)
{
	const struct addrtype *at = data;

	if (!mnl_attr_put_u16_check(nlh, buflen, MOAT_A_ADDRTYPE_SOURCE, at->source) ||
	    !mnl_attr_put_u16_check(nlh, buflen, MOAT_A_ADDRTYPE_DEST, at->dest) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_ADDRTYPE_FLAGS, at->flags))
		return -EMSGSIZE;
	return 0;
}

static int addrtype_attr(const struct nlattr *a, void *data)
{
	struct addrtype *at = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_ADDRTYPE_SOURCE:
		return moat_attr_u16(a, &at->source);
	case MOAT_A_ADDRTYPE_DEST:
		return moat_attr_u16(a, &at->dest);
	case MOAT_A_ADDRTYPE_FLAGS:
		return moat_attr_u32(a, &at->flags);
	}
	return 0;
}

static int addrtype_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, addrtype_attr);
}

const struct moat_ext moat_ext_addrtype = {
	.name = "addrtype",
	.size = sizeof(struct addrtype),
	.opts = addrtype_opts,
	.parse = addrtype_parse,
	.final_check = addrtype_final_check,
	.print_save = addrtype_save,
	.print_list = addrtype_list,
	.encode = addrtype_encode,
	.decode = addrtype_decode,
};
