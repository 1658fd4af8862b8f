// SPDX-License-Identifier: GPL-2.0
/* moat: the "limit" (token bucket) and "statistic" (random, nth) matches. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

/* --- limit --------------------------------------------------------------- */

struct limit {
	uint32_t avg;		/* MOAT_LIMIT_SCALE per second */
	uint32_t burst;
};

#define LIMIT_BURST 5

enum { O_LIMIT, O_BURST };

static const struct moat_ext_opt limit_opts[] = {
	{ "limit", required_argument, O_LIMIT },
	{ "limit-burst", required_argument, O_BURST },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule limit_rules[] = {
	{ .name = "limit", .id = O_LIMIT },
	{ .name = "limit-burst", .id = O_BURST },
	{ .name = NULL },
};

/* "N[/second|minute|hour|day]", any prefix of the unit; false if bad. */
static bool parse_rate(const char *rate, uint32_t *val)
{
	const char *delim = strchr(rate, '/');
	uint32_t r, mult = 1;
	size_t n;

	if (delim) {
		n = strlen(delim + 1);
		if (n == 0)
			return false;
		if (strncasecmp(delim + 1, "second", n) == 0)
			mult = 1;
		else if (strncasecmp(delim + 1, "minute", n) == 0)
			mult = 60;
		else if (strncasecmp(delim + 1, "hour", n) == 0)
			mult = 60 * 60;
		else if (strncasecmp(delim + 1, "day", n) == 0)
			mult = 24 * 60 * 60;
		else
			return false;
	}
	r = atoi(rate);
	if (!r)
		return false;
	*val = MOAT_LIMIT_SCALE * mult / r;
	if (*val == 0)
		moat_param_die("Rate too fast \"%s\"", rate);
	return true;
}

static void limit_init(void *data)
{
	struct limit *l = data;

	parse_rate("3/hour", &l->avg);
	l->burst = LIMIT_BURST;
}

static void limit_parse(int id, const char *arg, bool invert,
			unsigned int *seen, void *data, int argc, char **argv)
{
	struct limit *l = data;

	(void)argc;
	(void)argv;
	moat_xt_opt("limit", limit_rules, id, invert, seen);
	if (id == O_BURST)
		l->burst = moat_xt_uint("limit", "limit-burst", arg, 0,
					 MOAT_LIMIT_BURST_MAX);
	else if (!parse_rate(arg, &l->avg))
		moat_param_die("bad rate \"%s\"'", arg);
}

static void print_rate(FILE *f, uint32_t period)
{
	static const struct {
		const char *name;
		uint32_t mult;
	} rates[] = {
		{ "day", MOAT_LIMIT_SCALE * 24 * 60 * 60 },
		{ "hour", MOAT_LIMIT_SCALE * 60 * 60 },
		{ "min", MOAT_LIMIT_SCALE * 60 },
		{ "sec", MOAT_LIMIT_SCALE },
	};
	unsigned int i;

	if (period == 0) {
		fprintf(f, " %f", INFINITY);
		return;
	}
	for (i = 1; i < 4; i++)
		if (period > rates[i].mult ||
		    rates[i].mult / period < rates[i].mult % period)
			break;
	fprintf(f, " %u/%s", rates[i - 1].mult / period, rates[i - 1].name);
}

static void limit_save(FILE *f, const void *data)
{
	const struct limit *l = data;

	fputs(" --limit", f);
	print_rate(f, l->avg);
	if (l->burst != LIMIT_BURST)
		fprintf(f, " --limit-burst %u", l->burst);
}

static void limit_list(FILE *f, const void *data, bool numeric)
{
	const struct limit *l = data;

	(void)numeric;
	fputs(" limit: avg", f);
	print_rate(f, l->avg);
	fprintf(f, " burst %u", l->burst);
}

static int limit_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct limit *l = data;

	if (!mnl_attr_put_u32_check(nlh, buflen, MOAT_A_LIMIT_AVG, l->avg) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_LIMIT_BURST, l->burst))
		return -EMSGSIZE;
	return 0;
}

static int limit_attr(const struct nlattr *a, void *data)
{
	struct limit *l = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_LIMIT_AVG:
		return moat_attr_u32(a, &l->avg);
	case MOAT_A_LIMIT_BURST:
		return moat_attr_u32(a, &l->burst);
	}
	return 0;
}

static int limit_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, limit_attr);
}

const struct moat_ext moat_ext_limit = {
	.name = "limit",
	.size = sizeof(struct limit),
	.opts = limit_opts,
	.init = limit_init,
	.parse = limit_parse,
	.print_save = limit_save,
	.print_list = limit_list,
	.encode = limit_encode,
	.decode = limit_decode,
};

/* --- statistic ----------------------------------------------------------- */

struct statistic {
	uint8_t mode;		/* MOAT_STATISTIC_* */
	bool inv;
	uint32_t probability;	/* of 2^31 */
	uint32_t every;		/* n - 1 */
	uint32_t packet;
};

enum { O_MODE, O_PROBABILITY, O_EVERY, O_PACKET };
#define F_PROBABILITY	(1u << O_PROBABILITY)
#define F_EVERY		(1u << O_EVERY)
#define F_PACKET	(1u << O_PACKET)

static const struct moat_ext_opt statistic_opts[] = {
	{ "mode", required_argument, O_MODE },
	{ "probability", required_argument, O_PROBABILITY },
	{ "every", required_argument, O_EVERY },
	{ "packet", required_argument, O_PACKET },
	{ NULL, 0, 0 },
};

static const struct moat_xt_rule statistic_rules[] = {
	{ .name = "mode", .id = O_MODE, .mand = true },
	{ .name = "probability", .id = O_PROBABILITY, .invert = true,
	  .excl = F_EVERY | F_PACKET },
	{ .name = "every", .id = O_EVERY, .invert = true,
	  .excl = F_PROBABILITY, .also = F_PACKET },
	{ .name = "packet", .id = O_PACKET, .excl = F_PROBABILITY,
	  .also = F_EVERY },
	{ .name = NULL },
};

static double parse_probability(const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end != '\0' || v < 0 || v > 1)
		moat_param_die("statistic: bad value for option \"--probability\", or out of range (0-1).\n");
	return v;
}

static void statistic_parse(int id, const char *arg, bool invert,
			    unsigned int *seen, void *data, int argc,
			    char **argv)
{
	struct statistic *s = data;

	(void)argc;
	(void)argv;
	if (invert)
		s->inv = true;
	moat_xt_opt("statistic", statistic_rules, id, invert, seen);
	switch (id) {
	case O_MODE:
		if (strcmp(arg, "random") == 0)
			s->mode = MOAT_STATISTIC_RANDOM;
		else if (strcmp(arg, "nth") == 0)
			s->mode = MOAT_STATISTIC_NTH;
		else
			moat_param_die("Bad mode \"%s\"", arg);
		break;
	case O_PROBABILITY:
		/* lround, for a value that is never negative */
		s->probability = 0x80000000 * parse_probability(arg) + 0.5;
		break;
	case O_EVERY:
		s->every = moat_xt_uint("statistic", "every", arg, 1,
					0xffffffff) - 1;
		break;
	case O_PACKET:
		s->packet = moat_xt_uint("statistic", "packet", arg, 0,
					 0xffffffff);
		break;
	}
}

static void statistic_check(unsigned int seen, void *data)
{
	const struct statistic *s = data;

	if (s->mode == MOAT_STATISTIC_RANDOM && !(seen & F_PROBABILITY))
		moat_param_die("--probability must be specified when using random mode");
	if (s->mode == MOAT_STATISTIC_NTH && !(seen & (F_EVERY | F_PACKET)))
		moat_param_die("--every and --packet must be specified when using nth mode");
	if (s->packet > s->every)
		moat_param_die("the --packet p must be 0 <= p <= n-1");
	moat_xt_fcheck("statistic", statistic_rules, seen);
}

static void print_statistic(FILE *f, const struct statistic *s,
			    const char *prefix)
{
	if (s->mode == MOAT_STATISTIC_RANDOM) {
		fprintf(f, " %smode random%s %sprobability %.11f", prefix,
			s->inv ? " !" : "", prefix,
			1.0 * s->probability / 0x80000000);
		return;
	}
	fprintf(f, " %smode nth%s %severy %u", prefix, s->inv ? " !" : "",
		prefix, s->every + 1);
	if (s->packet || *prefix)
		fprintf(f, " %spacket %u", prefix, s->packet);
}

static void statistic_save(FILE *f, const void *data)
{
	print_statistic(f, data, "--");
}

static void statistic_list(FILE *f, const void *data, bool numeric)
{
	(void)numeric;
	fputs(" statistic", f);
	print_statistic(f, data, "");
}

static int statistic_encode(struct nlmsghdr *nlh, size_t buflen,
			    const void *data)
{
	const struct statistic *s = data;

	if (!mnl_attr_put_u8_check(nlh, buflen, MOAT_A_STATISTIC_MODE, s->mode) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_STATISTIC_PROBABILITY,
				    s->probability) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_STATISTIC_EVERY,
				    s->every) ||
	    !mnl_attr_put_u32_check(nlh, buflen, MOAT_A_STATISTIC_PACKET,
				    s->packet))
		return -EMSGSIZE;
	if (s->inv && !mnl_attr_put_check(nlh, buflen, MOAT_A_STATISTIC_INV, 0,
					  NULL))
		return -EMSGSIZE;
	return 0;
}

static int statistic_attr(const struct nlattr *a, void *data)
{
	struct statistic *s = data;

	switch (mnl_attr_get_type(a)) {
	case MOAT_A_STATISTIC_MODE:
		return moat_attr_u8(a, &s->mode);
	case MOAT_A_STATISTIC_PROBABILITY:
		return moat_attr_u32(a, &s->probability);
	case MOAT_A_STATISTIC_EVERY:
		return moat_attr_u32(a, &s->every);
	case MOAT_A_STATISTIC_PACKET:
		return moat_attr_u32(a, &s->packet);
	case MOAT_A_STATISTIC_INV:
		s->inv = true;
	}
	return 0;
}

static int statistic_decode(const struct nlattr *nest, void *data)
{
	return moat_attr_each(nest, data, statistic_attr);
}

const struct moat_ext moat_ext_statistic = {
	.name = "statistic",
	.size = sizeof(struct statistic),
	.opts = statistic_opts,
	.parse = statistic_parse,
	.check = statistic_check,
	.print_save = statistic_save,
	.print_list = statistic_list,
	.encode = statistic_encode,
	.decode = statistic_decode,
};
