// SPDX-License-Identifier: GPL-2.0
/* moat: the "tcp" and "udp" matches (ports; tcp also flags and options). */
#define _GNU_SOURCE	/* fputs_unlocked */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <linux/moat.h>
#include "ext.h"
#include "print.h"
#include "prog.h"

struct ports {
	uint16_t spts[2];
	uint16_t dpts[2];
	uint8_t flg_mask;
	uint8_t flg_cmp;
	uint8_t option;
	uint32_t inv;		/* MOAT_PORTS_INV_* */
};

enum { O_SPORT = 1, O_DPORT, O_SYN, O_FLAGS, O_OPTION };

/* Bits in the parser's record of options seen. */
#define SEEN_SPORT	0x01
#define SEEN_DPORT	0x02
#define SEEN_FLAGS	0x04
#define SEEN_OPTION	0x08

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10
#define TCPF_URG 0x20
#define TCPF_ALL 0x3f

/* In iptables' order: printing walks it to name the lowest bit first. */
static const struct {
	const char *name;
	uint8_t flag;
} tcp_flags[] = {
	{ "FIN", TCPF_FIN }, { "SYN", TCPF_SYN }, { "RST", TCPF_RST },
	{ "PSH", TCPF_PSH }, { "ACK", TCPF_ACK }, { "URG", TCPF_URG },
	{ "ALL", TCPF_ALL }, { "NONE", 0 },
};

static const struct moat_ext_opt udp_opts[] = {
	{ "source-port", required_argument, O_SPORT },
	{ "sport", required_argument, O_SPORT },
	{ "destination-port", required_argument, O_DPORT },
	{ "dport", required_argument, O_DPORT },
	{ NULL, 0, 0 },
};

static const struct moat_ext_opt tcp_opts[] = {
	{ "source-port", required_argument, O_SPORT },
	{ "sport", required_argument, O_SPORT },
	{ "destination-port", required_argument, O_DPORT },
	{ "dport", required_argument, O_DPORT },
	{ "syn", no_argument, O_SYN },
	{ "tcp-flags", required_argument, O_FLAGS },
	{ "tcp-option", required_argument, O_OPTION },
	{ NULL, 0, 0 },
};

static void ports_init(void *data)
{
	struct ports *p = data;

	p->spts[1] = 0xffff;
	p->dpts[1] = 0xffff;
}

static uint16_t parse_port(const char *s)
{
	struct servent *se;
	unsigned int v;

	if (moat_strtoui(s, &v, 0, 0xffff))
		return v;
	se = getservbyname(s, "tcp");
	if (!se)
		moat_param_die("invalid port/service `%s' specified", s);
	return ntohs(se->s_port);
}

/* tcp: "a", "a:b", ":b", "a:" or ":" into an inclusive range. */
static void parse_ports(const char *arg, uint16_t *pts)
{
	char buf[strlen(arg) + 1];
	char *colon;

	strcpy(buf, arg);
	colon = strchr(buf, ':');
	if (!colon) {
		pts[0] = pts[1] = parse_port(buf);
		return;
	}
	*colon = '\0';
	pts[0] = buf[0] ? parse_port(buf) : 0;
	pts[1] = colon[1] ? parse_port(colon + 1) : 0xffff;
	if (pts[0] > pts[1])
		moat_param_die("invalid portrange (min > max)");
}

static uint8_t parse_flag_list(const char *arg)
{
	char buf[strlen(arg) + 1];
	char *tok, *save = NULL;
	uint8_t flags = 0;
	size_t i, n = sizeof(tcp_flags) / sizeof(tcp_flags[0]);

	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n; i++)
			if (strcasecmp(tcp_flags[i].name, tok) == 0)
				break;
		if (i == n)
			moat_param_die("Unknown TCP flag `%s'", tok);
		flags |= tcp_flags[i].flag;
	}
	return flags;
}

static void set_flags(struct ports *p, uint8_t mask, uint8_t cmp, bool invert)
{
	p->flg_mask = mask;
	p->flg_cmp = cmp;
	if (invert)
		p->inv |= MOAT_PORTS_INV_FLAGS;
}

static void once(unsigned int *seen, unsigned int bit, const char *msg)
{
	if (*seen & bit)
		moat_param_die("%s", msg);
	*seen |= bit;
}

static void parse_port_opt(int id, const char *arg, bool invert,
			   unsigned int *seen, struct ports *p)
{
	if (id == O_SPORT) {
		once(seen, SEEN_SPORT, "Only one `--source-port' allowed");
		parse_ports(arg, p->spts);
		if (invert)
			p->inv |= MOAT_PORTS_INV_SPORT;
	} else {
		once(seen, SEEN_DPORT, "Only one `--destination-port' allowed");
		parse_ports(arg, p->dpts);
		if (invert)
			p->inv |= MOAT_PORTS_INV_DPORT;
	}
}

/*
 * udp reads ports as iptables' newer option parser does, not as tcp:
 * through getaddrinfo (so "010" is 10 and 99999 wraps to 34463), no
 * check that min <= max, and its own wording for errors.
 */
static uint16_t udp_port(const char *s)
{
	struct addrinfo *res, *ai;
	int port = -1;
	size_t len = strspn(s, "0123456789");

	/* What getaddrinfo makes of a short number, without its file reads. */
	if (len && len <= 9 && !s[len])
		return strtoul(s, NULL, 10) & 0xffff;
	if (getaddrinfo(NULL, s, NULL, &res) != 0)
		moat_param_die("Port \"%s\" does not resolve to anything.\n", s);
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET6) {
			port = ((struct sockaddr_in6 *)ai->ai_addr)->sin6_port;
			break;
		}
		if (ai->ai_family == AF_INET) {
			port = ((struct sockaddr_in *)ai->ai_addr)->sin_port;
			break;
		}
	}
	freeaddrinfo(res);
	if (port < 0)
		moat_param_die("Port \"%s\" does not resolve to anything.\n", s);
	return ntohs(port);
}

static void udp_ports(const char *arg, const char *opt, uint16_t *pts)
{
	char buf[strlen(arg) + 1];
	char *rest = buf, *part;
	int n = 0;

	strcpy(buf, arg);
	pts[0] = 0;
	pts[1] = 0xffff;
	while ((part = strsep(&rest, ":"))) {
		if (n == 2)
			moat_param_die("udp: Too many components for option \"--%s\" (max: 2)\n",
				       opt);
		if (*part)
			pts[n] = udp_port(part);
		n++;
	}
	if (n == 1)
		pts[1] = pts[0];
}

static void udp_parse(int id, const char *arg, bool invert,
		      unsigned int *seen, void *data, int argc, char **argv)
{
	const char *opt = id == O_SPORT ? "source-port" : "destination-port";
	unsigned int bit = id == O_SPORT ? SEEN_SPORT : SEEN_DPORT;
	struct ports *p = data;

	(void)argc;
	(void)argv;
	if (*seen & bit)
		moat_param_die("udp: option \"--%s\" can only be used once.\n",
			       opt);
	*seen |= bit;
	udp_ports(arg, opt, id == O_SPORT ? p->spts : p->dpts);
	if (invert)
		p->inv |= id == O_SPORT ? MOAT_PORTS_INV_SPORT :
					  MOAT_PORTS_INV_DPORT;
}

static void tcp_parse_flags(const char *arg, bool invert, struct ports *p,
			    int argc, char **argv)
{
	/* The second word is the next argument, not part of optarg. */
	if (optind >= argc || argv[optind][0] == '-' || argv[optind][0] == '!')
		moat_param_die("--tcp-flags requires two args.");
	set_flags(p, parse_flag_list(arg), parse_flag_list(argv[optind]),
		  invert);
	optind++;
}

static void tcp_parse(int id, const char *arg, bool invert,
		      unsigned int *seen, void *data, int argc, char **argv)
{
	static const char *const both =
		"Only one of `--syn' or `--tcp-flags'  allowed";
	struct ports *p = data;
	unsigned int v;

	switch (id) {
	case O_SYN:
		once(seen, SEEN_FLAGS, both);
		set_flags(p, TCPF_SYN | TCPF_RST | TCPF_ACK | TCPF_FIN,
			  TCPF_SYN, invert);
		break;
	case O_FLAGS:
		once(seen, SEEN_FLAGS, both);
		tcp_parse_flags(arg, invert, p, argc, argv);
		break;
	case O_OPTION:
		once(seen, SEEN_OPTION, "Only one `--tcp-option' allowed");
		if (!moat_strtoui(arg, &v, 1, 255))
			moat_param_die("Bad TCP option \"%s\"", arg);
		p->option = v;
		if (invert)
			p->inv |= MOAT_PORTS_INV_OPTION;
		break;
	default:
		parse_port_opt(id, arg, invert, seen, p);
	}
}

static void save_ports(FILE *f, const char *opt, const uint16_t *pts,
		       bool invert)
{
	if (pts[0] == 0 && pts[1] == 0xffff)
		return;
	fputs_unlocked(invert ? " ! --" : " --", f);
	fputs_unlocked(opt, f);
	fputc_unlocked(' ', f);
	moat_put_uint(f, pts[0]);
	if (pts[0] != pts[1]) {
		fputc_unlocked(':', f);
		moat_put_uint(f, pts[1]);
	}
}

/*
 * Lowest bit first, as iptables.  Bits past URG (ECE, CWR) have no name
 * here; a module may still report them, so they print in hex rather than
 * send the walk past the table's end.
 */
static void print_tcpf(FILE *f, uint8_t flags)
{
	bool any = false;
	size_t i;

	for (i = 0; tcp_flags[i].flag != TCPF_ALL; i++) {
		if (!(flags & tcp_flags[i].flag))
			continue;
		fprintf(f, "%s%s", any ? "," : "", tcp_flags[i].name);
		any = true;
	}
	if (flags & ~TCPF_ALL)
		fprintf(f, "%s0x%x", any ? "," : "", flags & ~TCPF_ALL);
	else if (!any)
		fputs("NONE", f);
}

static void udp_save(FILE *f, const void *data)
{
	const struct ports *p = data;

	save_ports(f, "sport", p->spts, p->inv & MOAT_PORTS_INV_SPORT);
	save_ports(f, "dport", p->dpts, p->inv & MOAT_PORTS_INV_DPORT);
}

static void tcp_save(FILE *f, const void *data)
{
	const struct ports *p = data;

	udp_save(f, data);
	if (p->option || (p->inv & MOAT_PORTS_INV_OPTION))
		fprintf(f, "%s --tcp-option %u",
			p->inv & MOAT_PORTS_INV_OPTION ? " !" : "", p->option);
	/*
	 * Also with only compared flags (--tcp-flags NONE SYN, which never
	 * matches): iptables-save drops them, and its restore matches all.
	 */
	if (p->flg_mask || p->flg_cmp || (p->inv & MOAT_PORTS_INV_FLAGS)) {
		fprintf(f, "%s --tcp-flags ",
			p->inv & MOAT_PORTS_INV_FLAGS ? " !" : "");
		print_tcpf(f, p->flg_mask);
		fputc(' ', f);
		print_tcpf(f, p->flg_cmp);
	}
}

static void print_port(FILE *f, uint16_t port, bool numeric,
		       const char *proto)
{
	struct servent *se = numeric ? NULL : getservbyport(htons(port), proto);

	if (se)
		fputs(se->s_name, f);
	else
		fprintf(f, "%u", port);
}

static void list_ports(FILE *f, const char *name, const uint16_t *pts,
		       bool invert, bool numeric, const char *proto)
{
	if (pts[0] == 0 && pts[1] == 0xffff && !invert)
		return;
	if (pts[0] == pts[1]) {
		fprintf(f, " %s:%s", name, invert ? "!" : "");
		print_port(f, pts[0], numeric, proto);
		return;
	}
	fprintf(f, " %ss:%s", name, invert ? "!" : "");
	print_port(f, pts[0], numeric, proto);
	fputc(':', f);
	print_port(f, pts[1], numeric, proto);
}

static void list_both_ports(FILE *f, const struct ports *p, bool numeric,
			    const char *proto)
{
	fprintf(f, " %s", proto);
	list_ports(f, "spt", p->spts, p->inv & MOAT_PORTS_INV_SPORT, numeric,
		   proto);
	list_ports(f, "dpt", p->dpts, p->inv & MOAT_PORTS_INV_DPORT, numeric,
		   proto);
}

static void udp_list(FILE *f, const void *data, bool numeric)
{
	list_both_ports(f, data, numeric, "udp");
}

static void tcp_list(FILE *f, const void *data, bool numeric)
{
	const struct ports *p = data;
	bool inv;

	list_both_ports(f, p, numeric, "tcp");
	inv = p->inv & MOAT_PORTS_INV_OPTION;
	if (p->option || inv)
		fprintf(f, " option=%s%u", inv ? "!" : "", p->option);
	inv = p->inv & MOAT_PORTS_INV_FLAGS;
	if (!p->flg_mask && !p->flg_cmp && !inv)
		return;
	fprintf(f, " flags:%s", inv ? "!" : "");
	if (numeric) {
		fprintf(f, "0x%02X/0x%02X", p->flg_mask, p->flg_cmp);
		return;
	}
	print_tcpf(f, p->flg_mask);
	fputc('/', f);
	print_tcpf(f, p->flg_cmp);
}

static int udp_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct ports *p = data;

	if (!mnl_attr_put_u16_check(nlh, buflen, MOAT_A_PORTS_SPORT_MIN,
				    p->spts[0]) ||
	    !mnl_attr_put_u16_check(nlh, buflen, MOAT_A_PORTS_SPORT_MAX,
				    p->spts[1]) ||
	    !mnl_attr_put_u16_check(nlh, buflen, MOAT_A_PORTS_DPORT_MIN,
				    p->dpts[0]) ||
	    !mnl_attr_put_u16_check(nlh, buflen, MOAT_A_PORTS_DPORT_MAX,
				    p->dpts[1]) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_PORTS_INV, p->inv))
		return -EMSGSIZE;
	return 0;
}

static int tcp_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct ports *p = data;
	int err = udp_encode(nlh, buflen, data);

	if (err)
		return err;
	if (!mnl_attr_put_u8_check(nlh, buflen, MOAT_A_PORTS_TCP_FLAGS_MASK,
				   p->flg_mask) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_PORTS_TCP_FLAGS_CMP,
				   p->flg_cmp) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_PORTS_TCP_OPTION,
				   p->option))
		return -EMSGSIZE;
	return 0;
}

static int ports_attr(const struct nlattr *a, struct ports *p)
{
	switch (mnl_attr_get_type(a)) {
	case MOAT_A_PORTS_SPORT_MIN:
		return moat_attr_u16(a, &p->spts[0]);
	case MOAT_A_PORTS_SPORT_MAX:
		return moat_attr_u16(a, &p->spts[1]);
	case MOAT_A_PORTS_DPORT_MIN:
		return moat_attr_u16(a, &p->dpts[0]);
	case MOAT_A_PORTS_DPORT_MAX:
		return moat_attr_u16(a, &p->dpts[1]);
	case MOAT_A_PORTS_TCP_FLAGS_MASK:
		return moat_attr_u8(a, &p->flg_mask);
	case MOAT_A_PORTS_TCP_FLAGS_CMP:
		return moat_attr_u8(a, &p->flg_cmp);
	case MOAT_A_PORTS_TCP_OPTION:
		return moat_attr_u8(a, &p->option);
	case MOAT_A_PORTS_INV:
		return moat_attr_u32(a, &p->inv);
	}
	return 0;	/* from a newer kernel: not ours to judge */
}

static int ports_decode(const struct nlattr *nest, void *data)
{
	const struct nlattr *a;
	int err;

	mnl_attr_for_each_nested(a, nest) {
		err = ports_attr(a, data);
		if (err)
			return err;
	}
	return 0;
}

const struct moat_ext moat_ext_tcp = {
	.name = "tcp",
	.proto = 6,
	.size = sizeof(struct ports),
	.opts = tcp_opts,
	.init = ports_init,
	.parse = tcp_parse,
	.print_save = tcp_save,
	.print_list = tcp_list,
	.encode = tcp_encode,
	.decode = ports_decode,
};

const struct moat_ext moat_ext_udp = {
	.name = "udp",
	.proto = 17,
	.size = sizeof(struct ports),
	.opts = udp_opts,
	.init = ports_init,
	.parse = udp_parse,
	.print_save = udp_save,
	.print_list = udp_list,
	.encode = udp_encode,
	.decode = ports_decode,
};
