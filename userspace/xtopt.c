// SPDX-License-Identifier: GPL-2.0
/*
 * moat: what iptables' own option parser (xtoptions.c) does for the
 * extensions that use it: its checks, its number readers and its
 * messages, word for word.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ext.h"
#include "prog.h"

void moat_xt_opt(const char *ext, const struct moat_xt_rule *t, int id,
		 bool invert, unsigned int *seen)
{
	const struct moat_xt_rule *r = moat_xt_rule(t, id);

	if (*seen & (1u << id))
		moat_param_die("%s: option \"--%s\" can only be used once.\n",
			       ext, r->name);
	if (invert && !r->invert)
		moat_param_die("%s: option \"--%s\" cannot be inverted.\n",
			       ext, r->name);
	*seen |= 1u << id;
}

const struct moat_xt_rule *moat_xt_rule(const struct moat_xt_rule *t, int id)
{
	while (t->name && t->id != id)
		t++;
	return t;
}

void moat_xt_fcheck(const char *ext, const struct moat_xt_rule *t,
		    unsigned int seen)
{
	const struct moat_xt_rule *r;
	int j;

	for (r = t; r->name; r++) {
		if (r->mand && !(seen & (1u << r->id)))
			moat_param_die("%s: option \"--%s\" must be specified\n",
				       ext, r->name);
		if (!(seen & (1u << r->id)))
			continue;
		for (j = 0; j < 32; j++)
			if (j != r->id && (r->excl & (1u << j)) &&
			    (seen & (1u << j)))
				moat_param_die("%s: option \"--%s\" cannot be used together with \"--%s\".\n",
					       ext, r->name,
					       moat_xt_rule(t, j)->name);
		for (j = 0; j < 32; j++)
			if (j != r->id && (r->also & (1u << j)) &&
			    !(seen & (1u << j)))
				moat_param_die("%s: option \"--%s\" also requires \"--%s\".\n",
					       ext, r->name,
					       moat_xt_rule(t, j)->name);
	}
}

/* xtables_strtoul_base with base 0: a number, then maybe more (@end). */
bool moat_xt_strtoul(const char *s, char **end, uintmax_t *v, uintmax_t min,
		     uintmax_t max)
{
	const char *p = s;
	uintmax_t n;
	char *e;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-')
		return false;
	errno = 0;
	n = strtoumax(s, &e, 0);
	if (e == s)
		return false;
	if (end)
		*end = e;
	if (errno == ERANGE || n < min || (max && n > max))
		return false;
	*v = n;
	return end || *e == '\0';
}

uint32_t moat_xt_uint(const char *ext, const char *opt, const char *arg,
		      uintmax_t min, uintmax_t max)
{
	uintmax_t v;

	if (!moat_xt_strtoul(arg, NULL, &v, min, max))
		moat_param_die("%s: bad value for option \"--%s\", or out of range (%ju-%ju).\n",
			       ext, opt, min, max);
	return v;
}

unsigned int moat_xt_range(const char *ext, const char *opt, const char *arg,
			   uintmax_t max, uint32_t vals[2])
{
	const char *a;
	char *end;
	unsigned int n = 0;
	uintmax_t v;

	for (a = arg;; a = end + 1) {
		if (n == 2)
			moat_param_die("%s: Too many components for option \"--%s\" (max: 2)\n",
				       ext, opt);
		if (*a == '\0' || *a == ':') {
			end = (char *)a;
			v = n == 1 ? max : 0;
		} else {
			if (!moat_xt_strtoul(a, &end, &v, 0, max))
				moat_param_die("%s: bad value for option \"--%s\" near \"%s\", or out of range (0-%ju).\n",
					       ext, opt, a, max);
			if (*end != '\0' && *end != ':')
				moat_param_die("%s: Argument to \"--%s\" has unexpected characters near \"%s\".\n",
					       ext, opt, end);
		}
		vals[n++] = v;
		if (*end == '\0')
			return n;
	}
}

void moat_xt_save_string(FILE *f, const char *s)
{
	static const char plain[] = "_-0123456789abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t n = strspn(s, plain);
	const char *p;

	fputc(' ', f);
	if (n > 0 && s[n] == '\0') {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	while ((p = strpbrk(s, "\"\\'"))) {
		fwrite(s, 1, p - s, f);
		fputc('\\', f);
		fputc(*p, f);
		s = p + 1;
	}
	fputs(s, f);
	fputc('"', f);
}

const char *moat_xt_ntoa(uint32_t addr)
{
	static char buf[4][16];
	static unsigned int next;
	const unsigned char *b = (const unsigned char *)&addr;
	char *s = buf[next++ % 4];

	snprintf(s, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return s;
}

void moat_xt_markmask(const char *ext, const char *opt, const char *arg,
		      uint32_t *value, uint32_t *mask)
{
	uintmax_t v, m = 0xffffffff;
	char *end;

	/* xtables_parse_mark_mask */
	if (!moat_xt_strtoul(arg, &end, &v, 0, 0xffffffff) ||
	    (*end == '/' && !moat_xt_strtoul(end + 1, &end, &m, 0, 0xffffffff)))
		moat_param_die("%s: bad integer value for option \"--%s\", or out of range.\n",
			       ext, opt);
	if (*end != '\0')
		moat_param_die("%s: trailing garbage after value for option \"--%s\".\n",
			       ext, opt);
	*value = v;
	*mask = m;
}

/* iptables' tos_values.c: the names of the old TOS bits. */
static const struct {
	uint8_t value;
	const char *name;
} tos_names[] = {
	{ 0x10, "Minimize-Delay" }, { 0x08, "Maximize-Throughput" },
	{ 0x04, "Maximize-Reliability" }, { 0x02, "Minimize-Cost" },
	{ 0x00, "Normal-Service" },
};

const char *moat_tos_name(uint8_t value)
{
	size_t i;

	for (i = 0; i < sizeof(tos_names) / sizeof(tos_names[0]); i++)
		if (tos_names[i].value == value)
			return tos_names[i].name;
	return NULL;
}

void moat_xt_tosmask(const char *arg, uint8_t name_mask, uint8_t *value,
		     uint8_t *mask)
{
	uintmax_t v, m = 0xff;
	char *end;
	size_t i;

	if (moat_xt_strtoul(arg, &end, &v, 0, 0xff)) {
		if ((*end == '/' && !moat_xt_strtoul(end + 1, NULL, &m, 0, 0xff)) ||
		    (*end != '/' && *end != '\0'))
			moat_param_die("Illegal value: \"%s\"", arg);
		*value = v;
		*mask = m;
		return;
	}
	for (i = 0; i < sizeof(tos_names) / sizeof(tos_names[0]); i++) {
		if (strcasecmp(arg, tos_names[i].name) == 0) {
			*value = tos_names[i].value;
			*mask = name_mask;
			return;
		}
	}
	moat_param_die("Symbolic name \"%s\" is unknown", arg);
}

static const struct {
	const char *name;
	uint8_t dscp;
} ds_classes[] = {
	{ "CS0", 0x00 }, { "CS1", 0x08 }, { "CS2", 0x10 }, { "CS3", 0x18 },
	{ "CS4", 0x20 }, { "CS5", 0x28 }, { "CS6", 0x30 }, { "CS7", 0x38 },
	{ "BE", 0x00 }, { "AF11", 0x0a }, { "AF12", 0x0c }, { "AF13", 0x0e },
	{ "AF21", 0x12 }, { "AF22", 0x14 }, { "AF23", 0x16 }, { "AF31", 0x1a },
	{ "AF32", 0x1c }, { "AF33", 0x1e }, { "AF41", 0x22 }, { "AF42", 0x24 },
	{ "AF43", 0x26 }, { "EF", 0x2e },
};

/* iptables' class_to_dscp: the class name may be followed by anything. */
uint8_t moat_dscp_class(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ds_classes) / sizeof(ds_classes[0]); i++)
		if (!strncasecmp(name, ds_classes[i].name,
				 strlen(ds_classes[i].name)))
			return ds_classes[i].dscp;
	moat_param_die("Invalid DSCP value `%s'", name);
}
