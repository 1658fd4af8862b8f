// SPDX-License-Identifier: GPL-2.0
/* moat: the "multiport" match (--sports, --dports, --ports; ranges, !). */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

struct multiport {
	uint16_t ports[MOAT_MULTIPORT_MAX_PORTS];
	uint8_t pflags[MOAT_MULTIPORT_MAX_PORTS];
	uint8_t count;
	uint8_t flags;		/* MOAT_MULTIPORT_* */
	bool inv;
	uint16_t proto;		/* the rule's -p, for service names */
	bool proto_inv;
};

enum { O_SOURCE, O_DEST, O_BOTH };
#define F_ANY 0x7

static const struct moat_ext_opt multiport_opts[] = {
	{ "source-ports", required_argument, O_SOURCE },
	{ "sports", required_argument, O_SOURCE },
	{ "destination-ports", required_argument, O_DEST },
	{ "dports", required_argument, O_DEST },
	{ "ports", required_argument, O_BOTH },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule multiport_rules[] = {
	{ .name = "source-ports", .id = O_SOURCE, .excl = F_ANY, .invert = true },
	{ .name = "destination-ports", .id = O_DEST, .excl = F_ANY, .invert = true },
	{ .name = "ports", .id = O_BOTH, .excl = F_ANY, .invert = true },
	{ .name = NULL },
};

static const char *proto_name(uint16_t proto)
{
	switch (proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 136:
		return "udplite";
	case 132:
		return "sctp";
	case 33:
		return "dccp";
	}
	return NULL;
}

static const char *check_proto(const struct multiport *mp)
{
	const char *name = proto_name(mp->proto);

	if (mp->proto_inv)
		moat_param_die("multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP");
	if (name)
		return name;
	if (!mp->proto)
		moat_param_die("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
	moat_param_die("multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP");
}

/* xtables_parse_port: a number, or a service of @proto. */
static uint16_t parse_port(const char *s, const char *proto)
{
	struct servent *se;
	unsigned int v;

	if (moat_strtoui(s, &v, 0, 0xffff))
		return v;
	se = getservbyname(s, proto);
	if (!se)
		moat_param_die("invalid port/service `%s' specified", s);
	return ntohs(se->s_port);
}

static void parse_ports(const char *arg, struct multiport *mp,
			const char *proto)
{
	char buf[strlen(arg) + 1];
	char *cp, *next, *range;
	unsigned int i;

	strcpy(buf, arg);
	memset(mp->pflags, 0, sizeof(mp->pflags));
	for (cp = buf, i = 0; cp && i < MOAT_MULTIPORT_MAX_PORTS; cp = next, i++) {
		next = strchr(cp, ',');
		if (next)
			*next++ = '\0';
		range = strchr(cp, ':');
		if (range) {
			if (i == MOAT_MULTIPORT_MAX_PORTS - 1)
				moat_param_die("too many ports specified");
			*range++ = '\0';
		}
		mp->ports[i] = parse_port(cp, proto);
		if (range) {
			mp->pflags[i] = 1;
			mp->ports[++i] = parse_port(range, proto);
			if (mp->ports[i - 1] >= mp->ports[i])
				moat_param_die("invalid portrange specified");
		}
	}
	mp->count = i;
	if (cp)
		moat_param_die("too many ports specified");
}

static void multiport_parse(int id, const char *arg, bool invert,
			    unsigned int *seen, void *data, int argc,
			    char **argv)
{
	struct multiport *mp = data;
	const char *proto;

	(void)argc;
	(void)argv;
	moat_xt_opt("multiport", multiport_rules, id, invert, seen);
	proto = check_proto(mp);
	parse_ports(arg, mp, proto);
	mp->flags = id == O_SOURCE ? MOAT_MULTIPORT_SOURCE :
		    id == O_DEST ? MOAT_MULTIPORT_DESTINATION :
				   MOAT_MULTIPORT_EITHER;
	if (invert)
		mp->inv = true;
}

static void multiport_final_check(unsigned int seen)
{
	if (!seen)
		moat_param_die("multiport expection an option");
	moat_xt_fcheck("multiport", multiport_rules, seen);
}

static void multiport_set_proto(void *data, uint16_t proto, bool invert)
{
	struct multiport *mp = data;

	mp->proto = proto;
	mp->proto_inv = invert;
}

static const char *const side_words[] = { "sports", "dports", "ports" };

static void print_port(FILE *f, uint16_t port, uint16_t proto, bool numeric)
{
	const char *name = proto_name(proto);
	struct servent *se = numeric ? NULL : getservbyport(htons(port), name);

	if (se)
		fputs(se->s_name, f);
	else
		fprintf(f, "%u", port);
}

static void print_ports(FILE *f, const struct multiport *mp, bool numeric)
{
	unsigned int i;

	for (i = 0; i < mp->count; i++) {
		fputs(i ? "," : "", f);
		print_port(f, mp->ports[i], mp->proto, numeric);
		if (mp->pflags[i]) {
			fputc(':', f);
			print_port(f, mp->ports[++i], mp->proto, numeric);
		}
	}
}

static void multiport_save(FILE *f, const void *data)
{
	const struct multiport *mp = data;

	fprintf(f, "%s --%s ", mp->inv ? " !" : "",
		side_words[mp->flags % 3]);
	print_ports(f, mp, true);
}

static void multiport_list(FILE *f, const void *data, bool numeric)
{
	const struct multiport *mp = data;

	fprintf(f, " multiport %s %s", side_words[mp->flags % 3],
		mp->inv ? " !" : "");
	print_ports(f, mp, numeric);
}

static int multiport_encode(struct nlmsghdr *nlh, size_t buflen,
			    const void *data)
{
	const struct multiport *mp = data;

	if (!mnl_attr_put_u8_check(nlh, buflen, MOAT_A_MULTIPORT_FLAGS,
				   mp->flags) ||
	    !mnl_attr_put_check(nlh, buflen, MOAT_A_MULTIPORT_PORTS,
				mp->count * sizeof(uint16_t), mp->ports) ||
	    !mnl_attr_put_check(nlh, buflen, MOAT_A_MULTIPORT_PFLAGS,
				mp->count, mp->pflags))
		return -EMSGSIZE;
	if (mp->inv && !mnl_attr_put_check(nlh, buflen, MOAT_A_MULTIPORT_INV,
					   0, NULL))
		return -EMSGSIZE;
	return 0;
}

static int multiport_attr(const struct nlattr *a, struct multiport *mp)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_MULTIPORT_FLAGS:
		return moat_attr_u8(a, &mp->flags);
	case MOAT_A_MULTIPORT_PORTS:
		if (len % 2 || len / 2 > MOAT_MULTIPORT_MAX_PORTS)
			return -EINVAL;
		memcpy(mp->ports, mnl_attr_get_payload(a), len);
		mp->count = len / 2;
		return 0;
	case MOAT_A_MULTIPORT_PFLAGS:
		if (len > MOAT_MULTIPORT_MAX_PORTS)
			return -EINVAL;
		memcpy(mp->pflags, mnl_attr_get_payload(a), len);
		return 0;
	case MOAT_A_MULTIPORT_INV:
		mp->inv = true;
		return 0;
	}
	return 0;	/* from a newer kernel: skipped */
}

static int multiport_decode(const struct nlattr *nest, void *data)
{
	const struct multiport *mp = data;
	const struct nlattr *a;
	unsigned int i;
	int err;

	mnl_attr_for_each_nested(a, nest) {
		err = multiport_attr(a, data);
		if (err)
			return err;
	}
	/*
	 * A range needs its end, which printing reads after its start; the
	 * end's own flag is not looked at (nor is it by the module).
	 */
	for (i = 0; i < mp->count; i++)
		if (mp->pflags[i] && ++i == mp->count)
			return -EINVAL;
	return 0;
}

const struct moat_ext moat_ext_multiport = {
	.name = "multiport",
	.size = sizeof(struct multiport),
	.opts = multiport_opts,
	.parse = multiport_parse,
	.final_check = multiport_final_check,
	.set_proto = multiport_set_proto,
	.print_save = multiport_save,
	.print_list = multiport_list,
	.encode = multiport_encode,
	.decode = multiport_decode,
};
