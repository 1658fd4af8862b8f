// SPDX-License-Identifier: GPL-2.0
/* moat: the "LOG" target (--log-prefix, --log-level and the flags). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

#define LOG_DEFAULT_LEVEL 4	/* warning */

struct log {
	uint8_t level;
	uint8_t flags;		/* MOAT_LOG_* */
	char prefix[MOAT_LOG_PREFIX_LEN];
};

enum {
	O_LEVEL = 1, O_PREFIX, O_TCPSEQ, O_TCPOPT, O_IPOPT, O_UID, O_MACDECODE,
};

static const struct moat_ext_opt log_opts[] = {
	{ "log-level", required_argument, O_LEVEL },
	{ "log-prefix", required_argument, O_PREFIX },
	{ "log-tcp-sequence", no_argument, O_TCPSEQ },
	{ "log-tcp-options", no_argument, O_TCPOPT },
	{ "log-ip-options", no_argument, O_IPOPT },
	{ "log-uid", no_argument, O_UID },
	{ "log-macdecode", no_argument, O_MACDECODE },
	{ NULL, 0, 0 },
};

/* The flag options: their bit, and their word in -L. */
static const struct {
	int id;
	uint8_t flag;
	const char *list;
} log_flags[] = {
	{ O_TCPSEQ, MOAT_LOG_TCPSEQ, "tcp-sequence" },
	{ O_TCPOPT, MOAT_LOG_TCPOPT, "tcp-options" },
	{ O_IPOPT, MOAT_LOG_IPOPT, "ip-options" },
	{ O_UID, MOAT_LOG_UID, "uid" },
	{ O_MACDECODE, MOAT_LOG_MACDECODE, "macdecode" },
};
#define N_FLAGS (sizeof(log_flags) / sizeof(log_flags[0]))
#define LOG_FLAGS_KNOWN (MOAT_LOG_TCPSEQ | MOAT_LOG_TCPOPT | MOAT_LOG_IPOPT | \
			 MOAT_LOG_UID | MOAT_LOG_MACDECODE)

/* What --log-level accepts besides 0-7 (xtables' table, case-sensitive). */
static const struct {
	const char *name;
	uint8_t level;
} level_names[] = {
	{ "alert", 1 }, { "crit", 2 }, { "debug", 7 }, { "emerg", 0 },
	{ "error", 3 }, { "info", 6 }, { "notice", 5 }, { "panic", 0 },
	{ "warning", 4 },
};

/* What -L calls a level: the first of glibc's prioritynames[] that fits. */
static const char *const level_list[8] = {
	"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
};

static void log_init(void *data)
{
	struct log *l = data;

	l->level = LOG_DEFAULT_LEVEL;
}

static const char *opt_name(int id)
{
	const struct moat_ext_opt *o;

	for (o = log_opts; o->id != id; o++)
		;
	return o->name;
}

static uint8_t parse_level(const char *arg)
{
	unsigned int v;
	size_t i;

	if (moat_strtoui(arg, &v, 0, 7))
		return v;
	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(level_names[i].name, arg) == 0)
			return level_names[i].level;
	moat_param_die("log level \"%s\" unknown\n", arg);
}

static void parse_prefix(struct log *l, const char *arg)
{
	if (!*arg)
		moat_param_die("Argument must have a minimum length of 1 characters\n");
	/* iptables keeps what fits, silently. */
	snprintf(l->prefix, sizeof(l->prefix), "%s", arg);
	if (strchr(arg, '\n'))
		moat_param_die("Newlines not allowed in --log-prefix");
}

static void log_parse(int id, const char *arg, bool invert,
		      unsigned int *seen, void *data, int argc, char **argv)
{
	struct log *l = data;
	size_t i;

	(void)argc;
	(void)argv;
	if (*seen & (1u << id))
		moat_param_die("LOG: option \"--%s\" can only be used once.\n",
			       opt_name(id));
	if (invert)
		moat_param_die("LOG: option \"--%s\" cannot be inverted.\n",
			       opt_name(id));
	*seen |= 1u << id;
	if (id == O_LEVEL) {
		l->level = parse_level(arg);
		return;
	}
	if (id == O_PREFIX) {
		parse_prefix(l, arg);
		return;
	}
	for (i = 0; i < N_FLAGS; i++)
		if (log_flags[i].id == id)
			l->flags |= log_flags[i].flag;
}

/* iptables' xtables_save_string: bare if safe, else "..." with escapes. */
static void save_string(FILE *f, const char *s)
{
	static const char safe[] = "_-0123456789abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t n = strspn(s, safe);

	if (n > 0 && !s[n]) {
		fprintf(f, " %s", s);
		return;
	}
	fputs(" \"", f);
	for (; *s; s++) {
		if (strchr("\"\\'", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void log_save(FILE *f, const void *data)
{
	const struct log *l = data;
	static const char *const opts[N_FLAGS] = {
		"--log-tcp-sequence", "--log-tcp-options", "--log-ip-options",
		"--log-uid", "--log-macdecode",
	};
	size_t i;

	if (l->prefix[0]) {
		fputs(" --log-prefix", f);
		save_string(f, l->prefix);
	}
	if (l->level != LOG_DEFAULT_LEVEL)
		fprintf(f, " --log-level %d", l->level);
	for (i = 0; i < N_FLAGS; i++)
		if (l->flags & log_flags[i].flag)
			fprintf(f, " %s", opts[i]);
}

static void log_list(FILE *f, const void *data, bool numeric)
{
	const struct log *l = data;
	size_t i;

	fputs(" LOG", f);
	if (numeric) {
		fprintf(f, " flags %u level %u", l->flags, l->level);
	} else {
		if (l->level < 8)
			fprintf(f, " level %s", level_list[l->level]);
		else
			fprintf(f, " UNKNOWN level %u", l->level);
		for (i = 0; i < N_FLAGS; i++)
			if (l->flags & log_flags[i].flag)
				fprintf(f, " %s", log_flags[i].list);
		if (l->flags & ~LOG_FLAGS_KNOWN)
			fputs(" unknown-flags", f);
	}
	if (l->prefix[0])
		fprintf(f, " prefix \"%s\"", l->prefix);
}

static int log_encode(struct nlmsghdr *nlh, size_t buflen, const void *data)
{
	const struct log *l = data;

	if (!mnl_attr_put_strz_check(nlh, buflen, MOAT_A_LOG_PREFIX, l->prefix) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_LOG_LEVEL, l->level) ||
	    !mnl_attr_put_u8_check(nlh, buflen, MOAT_A_LOG_FLAGS, l->flags))
		return -EMSGSIZE;
	return 0;
}

static int log_attr(const struct nlattr *a, struct log *l)
{
	switch (mnl_attr_get_type(a)) {
	case MOAT_A_LOG_PREFIX:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 ||
		    strlen(mnl_attr_get_str(a)) >= sizeof(l->prefix))
			return -EINVAL;
		strcpy(l->prefix, mnl_attr_get_str(a));
		return 0;
	case MOAT_A_LOG_LEVEL:
		return moat_attr_u8(a, &l->level);
	case MOAT_A_LOG_FLAGS:
		return moat_attr_u8(a, &l->flags);
	}
	return 0;	/* from a newer kernel: not ours to judge */
}

static int log_decode(const struct nlattr *nest, void *data)
{
	const struct nlattr *a;
	int err;

	mnl_attr_for_each_nested(a, nest) {
		err = log_attr(a, data);
		if (err)
			return err;
	}
	return 0;
}

const struct moat_ext moat_ext_log = {
	.name = "LOG",
	.size = sizeof(struct log),
	.opts = log_opts,
	.init = log_init,
	.parse = log_parse,
	.print_save = log_save,
	.print_list = log_list,
	.encode = log_encode,
	.decode = log_decode,
};
