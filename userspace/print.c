// SPDX-License-Identifier: GPL-2.0
/*
 * moat: iptables -L and -S output.  Column widths, spacing and trailing
 * blanks are iptables 1.8.9's, which scripts parse; keep them.
 */
#define _GNU_SOURCE	/* fputs_unlocked */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "ext.h"
#include "parse.h"
#include "print.h"

/* iptables' list format bits. */
enum {
	FMT_NUMERIC	= 0x0001,
	FMT_NOCOUNTS	= 0x0002,
	FMT_KMG		= 0x0004,
	FMT_OPTIONS	= 0x0008,
	FMT_NOTABLE	= 0x0010,
	FMT_VIA		= 0x0040,
	FMT_NONEWLINE	= 0x0080,
	FMT_LINENUMBERS	= 0x0100,
};

/* The -v line of -A and friends. */
#define FMT_PRINT_RULE (FMT_NOCOUNTS | FMT_OPTIONS | FMT_VIA | FMT_NUMERIC | \
			FMT_NOTABLE)

/* Table column or free text: the two layouts of every field. */
#define FMT(tab, notab) ((fmt & FMT_NOTABLE) ? (notab) : (tab))

/*
 * Names.
 */

/* @lookup: ask /etc/protocols too, else iptables' own few names only. */
static const char *proto_name(uint16_t proto, bool lookup)
{
	static const struct { const char *name; uint16_t num; } known[] = {
		{ "tcp", 6 }, { "sctp", 132 }, { "udp", 17 },
		{ "udplite", 136 }, { "icmp", 1 }, { "icmpv6", 58 },
		{ "esp", 50 }, { "ah", 51 }, { "ipv6-mh", 135 }, { "mh", 135 },
		{ "all", 0 },
	};
	/* Looked up once per number: -L of 100k rules must not reread a file. */
	static char *cache[256];
	static bool looked_up[256];
	struct protoent *pe;
	size_t i;

	if (!lookup)
		goto known;
	if (proto && proto < 256 && !looked_up[proto]) {
		looked_up[proto] = true;
		pe = getprotobynumber(proto);
		cache[proto] = pe ? strdup(pe->p_name) : NULL;
	}
	if (proto && proto < 256 && cache[proto])
		return cache[proto];
known:
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].num == proto)
			return known[i].name;
	return NULL;
}

void moat_put_uint(FILE *f, unsigned long long v)
{
	char buf[24], *p = buf + sizeof(buf);

	*--p = '\0';
	do
		*--p = '0' + v % 10;
	while (v /= 10);
	fputs_unlocked(p, f);
}

void moat_put_addr(FILE *f, uint32_t addr)
{
	const uint8_t *b = (const uint8_t *)&addr;
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			fputc_unlocked('.', f);
		moat_put_uint(f, b[i]);
	}
}

static const char *addr_numeric(uint32_t addr)
{
	static char buf[INET_ADDRSTRLEN];

	return inet_ntop(AF_INET, &addr, buf, sizeof(buf));
}

/* A host name, else a network name, else the number, as iptables. */
static void lookup_name(uint32_t addr, char *name, size_t size)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = addr,
	};
	struct netent *ne;

	if (getnameinfo((struct sockaddr *)&sin, sizeof(sin), name, size - 1,
			NULL, 0, NI_NAMEREQD) == 0)
		return;
	ne = getnetbyaddr(ntohl(addr), AF_INET);
	snprintf(name, size, "%s", ne ? ne->n_name : addr_numeric(addr));
}

/*
 * Reverse lookups are slow and a listing repeats the same few addresses:
 * each is looked up once per run (iptables asks every time, same answer).
 */
static const char *addr_anyname(uint32_t addr)
{
	static struct {
		uint32_t addr;
		char name[NI_MAXHOST];
	} cache[32];
	static size_t n, next;
	size_t i;

	for (i = 0; i < n; i++)
		if (cache[i].addr == addr)
			return cache[i].name;
	i = next;
	next = (next + 1) % (sizeof(cache) / sizeof(cache[0]));
	if (n < sizeof(cache) / sizeof(cache[0]))
		n++;
	cache[i].addr = addr;
	lookup_name(addr, cache[i].name, sizeof(cache[i].name));
	return cache[i].name;
}

/* Prefix length of a contiguous netmask, -1 if it is not one. */
static int mask_to_cidr(uint32_t mask)
{
	uint32_t m = ntohl(mask);
	int bits = 0;

	while (m & 0x80000000u) {
		m <<= 1;
		bits++;
	}
	return m ? -1 : bits;
}

/* "/24", "/255.0.255.0", or "" for a host. */
static const char *mask_suffix(uint32_t mask)
{
	static char buf[24];
	int cidr = mask_to_cidr(mask);

	if (cidr == 32)
		return "";
	if (cidr < 0)
		snprintf(buf, sizeof(buf), "/%s", addr_numeric(mask));
	else
		snprintf(buf, sizeof(buf), "/%d", cidr);
	return buf;
}

/*
 * -L
 */

static void print_num(FILE *f, uint64_t n, unsigned int fmt)
{
	static const char units[] = "KMGT";
	int u = 0;

	if (!(fmt & FMT_KMG)) {
		fprintf(f, FMT("%8llu ", "%llu "), (unsigned long long)n);
		return;
	}
	if (n <= 99999) {
		fprintf(f, FMT("%5llu ", "%llu "), (unsigned long long)n);
		return;
	}
	/* iptables rounds at each step, and stops at T. */
	n = (n + 500) / 1000;
	while (n > 9999 && u < 3) {
		n = (n + 500) / 1000;
		u++;
	}
	fprintf(f, FMT("%4llu%c ", "%llu%c "), (unsigned long long)n, units[u]);
}

static void print_header(FILE *f, const struct moat_chain_info *c,
			 unsigned int fmt)
{
	fprintf(f, "Chain %s", c->name);
	if (c->builtin) {
		fprintf(f, " (policy %s", moat_verdict_name(c->policy) ?: "");
		if (!(fmt & FMT_NOCOUNTS)) {
			fputc(' ', f);
			print_num(f, c->packets, fmt | FMT_NOTABLE);
			fputs("packets, ", f);
			print_num(f, c->bytes, fmt | FMT_NOTABLE);
			fputs("bytes", f);
		}
		fputs(")\n", f);
	} else {
		fprintf(f, " (%u references)\n", c->refs);
	}
	if (fmt & FMT_LINENUMBERS)
		fprintf(f, FMT("%-4s ", "%s "), "num");
	if (!(fmt & FMT_NOCOUNTS)) {
		if (fmt & FMT_KMG) {
			fprintf(f, FMT("%5s ", "%s "), "pkts");
			fprintf(f, FMT("%5s ", "%s "), "bytes");
		} else {
			fprintf(f, FMT("%8s ", "%s "), "pkts");
			fprintf(f, FMT("%10s ", "%s "), "bytes");
		}
	}
	fprintf(f, FMT("%-9s ", "%s "), "target");
	fputs(" prot opt", f);
	if (fmt & FMT_VIA) {
		fprintf(f, FMT(" %-6s ", "%s "), "in");
		fprintf(f, FMT("%-6s ", "%s "), "out");
	}
	fprintf(f, FMT(" %-19s ", "%s "), "source");
	fprintf(f, FMT(" %-19s ", " %s "), "destination");
	fputc('\n', f);
}

static void print_proto(FILE *f, const struct moat_rule *r, unsigned int fmt)
{
	/* -v -A's line (NUMERIC, NOTABLE) names only iptables' own few. */
	const char *name = proto_name(r->proto, !(fmt & FMT_NUMERIC));

	fputc(r->inv & MOAT_INV_PROTO ? '!' : ' ', f);
	/* -n prints the number; -v -A's line (NOTABLE) still the name. */
	if ((fmt & (FMT_NUMERIC | FMT_NOTABLE)) == FMT_NUMERIC || !name)
		fprintf(f, FMT("%-4hu ", "%hu "), r->proto);
	else
		fprintf(f, FMT("%-4s ", "%s "), name);
}

static void print_ifaces(FILE *f, const struct moat_rule *r,
			 unsigned int fmt)
{
	const char *any = fmt & FMT_NUMERIC ? "*" : "any";
	char buf[IFNAMSIZ + 2];

	if (!(fmt & FMT_VIA))
		return;
	snprintf(buf, sizeof(buf), "%s%s", r->inv & MOAT_INV_IIF ? "!" : "",
		 r->iif[0] ? r->iif : any);
	fprintf(f, FMT(" %-6s ", "in %s "), buf);
	snprintf(buf, sizeof(buf), "%s%s", r->inv & MOAT_INV_OIF ? "!" : "",
		 r->oif[0] ? r->oif : any);
	fprintf(f, FMT("%-6s ", "out %s "), buf);
}

const char *moat_addr_mask_str(uint32_t addr, uint32_t mask, bool numeric)
{
	static char buf[NI_MAXHOST + 24];

	snprintf(buf, sizeof(buf), "%s%s",
		 numeric ? addr_numeric(addr) : addr_anyname(addr),
		 mask_suffix(mask));
	return buf;
}

static void print_addr(FILE *f, uint32_t addr, uint32_t mask, bool inv,
		       const char *layout, unsigned int fmt)
{
	char buf[NI_MAXHOST + 24];

	fputc(inv ? '!' : ' ', f);
	if (mask == 0 && !(fmt & FMT_NUMERIC)) {
		fprintf(f, layout, "anywhere");
		return;
	}
	snprintf(buf, sizeof(buf), "%s",
		 fmt & FMT_NUMERIC ? addr_numeric(addr) : addr_anyname(addr));
	strncat(buf, mask_suffix(mask), sizeof(buf) - strlen(buf) - 1);
	fprintf(f, layout, buf);
}

static void print_matches_list(FILE *f, const struct moat_rule *r,
			       unsigned int fmt)
{
	const struct moat_match *m;
	size_t i;

	for (i = 0; i < r->n_matches; i++) {
		m = &r->matches[i];
		if (m->ext && m->ext->set_proto)
			m->ext->set_proto(m->data, r->proto,
					  r->inv & MOAT_INV_PROTO);
		if (m->ext)
			m->ext->print_list(f, m->data, fmt & FMT_NUMERIC);
		else
			fprintf(f, "UNKNOWN match `%s' ", m->name);
	}
}

static void print_line(FILE *f, const struct moat_rule *r, unsigned int num,
		       unsigned int fmt)
{
	if (fmt & FMT_LINENUMBERS)
		fprintf(f, FMT("%-4u ", "%u "), num);
	if (!(fmt & FMT_NOCOUNTS)) {
		print_num(f, r->packets, fmt);
		print_num(f, r->bytes, fmt);
	}
	fprintf(f, FMT("%-9s ", "%s "), moat_rule_target_name(r));
	print_proto(f, r, fmt);
	if (fmt & FMT_NOTABLE)
		fputs("opt ", f);
	fputc(r->inv & MOAT_INV_FRAG ? '!' : '-', f);
	fputc(r->flags & MOAT_RULE_F_FRAG ? 'f' : '-', f);
	fputc(' ', f);
	print_ifaces(f, r, fmt);
	print_addr(f, r->src, r->src_mask, r->inv & MOAT_INV_SRC,
		   FMT("%-19s ", "%s "), fmt);
	print_addr(f, r->dst, r->dst_mask, r->inv & MOAT_INV_DST,
		   FMT("%-19s ", "-> %s"), fmt);
	if (fmt & FMT_NOTABLE)
		fputs("  ", f);
	if (r->target == MOAT_TARGET_GOTO)
		fputs("[goto] ", f);
	print_matches_list(f, r, fmt);
	if (r->target == MOAT_TARGET_EXT && r->text)
		r->text->print_list(f, r->tdata, fmt & FMT_NUMERIC);
	if (!(fmt & FMT_NONEWLINE))
		fputc('\n', f);
}

void moat_print_rule_verbose(FILE *f, const struct moat_rule *r)
{
	print_line(f, r, 0, FMT_PRINT_RULE);
}

/* Built-in chains as given, then user chains in strcmp() order. */
static int cmp_chain(const void *a, const void *b)
{
	const struct moat_chain_info *x = *(const struct moat_chain_info **)a;
	const struct moat_chain_info *y = *(const struct moat_chain_info **)b;

	if (x->builtin != y->builtin)
		return x->builtin ? -1 : 1;
	if (x->builtin)
		return x < y ? -1 : x > y;
	return strcmp(x->name, y->name);
}

const struct moat_chain_info **
moat_chains_sorted(const struct moat_chain_info *chains, size_t n)
{
	const struct moat_chain_info **v = calloc(n + 1, sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	for (i = 0; i < n; i++)
		v[i] = &chains[i];
	qsort(v, n, sizeof(*v), cmp_chain);
	return v;
}

static bool wanted(const struct moat_chain_info *c, const char *chain)
{
	return !chain || strcmp(c->name, chain) == 0;
}

static unsigned int list_fmt(unsigned int opts)
{
	unsigned int fmt = FMT_OPTIONS;

	fmt |= opts & OPT_VERBOSE ? FMT_VIA : FMT_NOCOUNTS;
	if (opts & OPT_NUMERIC)
		fmt |= FMT_NUMERIC;
	if (!(opts & OPT_EXACT))
		fmt |= FMT_KMG;
	if (opts & OPT_LINE_NUMBERS)
		fmt |= FMT_LINENUMBERS;
	return fmt;
}

int moat_print_list(FILE *f, const struct moat_chain_info *chains, size_t n,
		    const char *chain, unsigned int rulenum, unsigned int opts)
{
	const struct moat_chain_info **v = moat_chains_sorted(chains, n);
	unsigned int fmt = list_fmt(opts);
	bool found = false;
	size_t i, j;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!wanted(v[i], chain))
			continue;
		if (found)
			fputc('\n', f);
		if (!rulenum)
			print_header(f, v[i], fmt);
		for (j = 0; j < v[i]->n_rules; j++)
			if (!rulenum || j + 1 == rulenum)
				print_line(f, v[i]->rules[j], j + 1, fmt);
		found = true;
	}
	free(v);
	return found || !chain ? 0 : -ENOENT;
}

/*
 * -S
 */

static void save_addr(FILE *f, char letter, uint32_t addr, uint32_t mask,
		      bool inv)
{
	int cidr = mask_to_cidr(mask);

	if (!mask && !addr && !inv)
		return;
	fputs_unlocked(inv ? " ! -" : " -", f);
	fputc_unlocked(letter, f);
	fputc_unlocked(' ', f);
	moat_put_addr(f, addr);
	fputc_unlocked('/', f);
	if (cidr < 0)
		moat_put_addr(f, mask);
	else
		moat_put_uint(f, cidr);
}

static void save_iface(FILE *f, char letter, const char *name, bool inv)
{
	/* "+" alone matches every name: iptables stores no mask, prints none */
	if (!name[0] || strcmp(name, "+") == 0)
		return;
	fputs_unlocked(inv ? " ! -" : " -", f);
	fputc_unlocked(letter, f);
	fputc_unlocked(' ', f);
	fputs_unlocked(name, f);
}

static void save_proto(FILE *f, const struct moat_rule *r)
{
	const char *name;

	if (!r->proto)
		return;
	fputs_unlocked(r->inv & MOAT_INV_PROTO ? " !" : "", f);
	name = proto_name(r->proto, true);
	fputs_unlocked(" -p ", f);
	if (name)
		fputs_unlocked(name, f);
	else
		moat_put_uint(f, r->proto);
}

static void save_target(FILE *f, const struct moat_rule *r)
{
	switch (r->target) {
	case MOAT_TARGET_VERDICT:
	case MOAT_TARGET_JUMP:
		fputs_unlocked(" -j ", f);
		fputs_unlocked(moat_rule_target_name(r), f);
		break;
	case MOAT_TARGET_GOTO:
		fputs_unlocked(" -g ", f);
		fputs_unlocked(r->chain, f);
		break;
	case MOAT_TARGET_EXT:
		fputs_unlocked(" -j ", f);
		fputs_unlocked(r->chain, f);
		if (r->text)
			r->text->print_save(f, r->tdata);
		break;
	default:
		break;
	}
}

void moat_print_rule_save(FILE *f, const char *chain,
			  const struct moat_rule *r, bool counters)
{
	const struct moat_match *m;
	size_t i;

	fputs_unlocked("-A ", f);
	fputs_unlocked(chain, f);
	save_addr(f, 's', r->src, r->src_mask, r->inv & MOAT_INV_SRC);
	save_addr(f, 'd', r->dst, r->dst_mask, r->inv & MOAT_INV_DST);
	save_iface(f, 'i', r->iif, r->inv & MOAT_INV_IIF);
	save_iface(f, 'o', r->oif, r->inv & MOAT_INV_OIF);
	save_proto(f, r);
	if (r->flags & MOAT_RULE_F_FRAG)
		fputs_unlocked(r->inv & MOAT_INV_FRAG ? " ! -f" : " -f", f);
	for (i = 0; i < r->n_matches; i++) {
		m = &r->matches[i];
		fputs_unlocked(" -m ", f);
		fputs_unlocked(m->name, f);
		if (m->ext)
			m->ext->print_save(f, m->data);
	}
	if (counters) {
		fputs_unlocked(" -c ", f);
		moat_put_uint(f, r->packets);
		fputc_unlocked(' ', f);
		moat_put_uint(f, r->bytes);
	}
	save_target(f, r);
	fputc_unlocked('\n', f);
}

int moat_print_rules(FILE *f, const struct moat_chain_info *chains, size_t n,
		     const char *chain, unsigned int rulenum,
		     unsigned int opts)
{
	const struct moat_chain_info **v = moat_chains_sorted(chains, n);
	bool counters = opts & OPT_VERBOSE, found = false;
	size_t i, j;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < n && !rulenum; i++) {
		if (!wanted(v[i], chain))
			continue;
		if (!v[i]->builtin) {
			fprintf(f, "-N %s\n", v[i]->name);
			continue;
		}
		fprintf(f, "-P %s %s", v[i]->name,
			moat_verdict_name(v[i]->policy) ?: "");
		if (counters)
			fprintf(f, " -c %llu %llu",
				(unsigned long long)v[i]->packets,
				(unsigned long long)v[i]->bytes);
		fputc('\n', f);
	}
	for (i = 0; i < n; i++) {
		if (!wanted(v[i], chain))
			continue;
		for (j = 0; j < v[i]->n_rules; j++)
			if (!rulenum || j + 1 == rulenum)
				moat_print_rule_save(f, v[i]->name,
						     v[i]->rules[j], counters);
		found = true;
	}
	free(v);
	return found || !chain ? 0 : -ENOENT;
}
