// SPDX-License-Identifier: GPL-2.0
/*
 * moat-restore: reads the iptables-save format and applies each table
 * between "*table" and "COMMIT" as one transaction, streamed to the module
 * in batches: the table changes whole or not at all.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "batch.h"
#include "exec.h"
#include "parse.h"
#include "prog.h"
#include "table.h"

#define MAX_ARGS 256

struct restore {
	struct moat_nl nl;
	struct moat_batch b;
	FILE *in;
	bool noflush, test, counters;
	const char *only_table;		/* -T */
	char table[MOAT_NAME_LEN];
	bool in_table, skip_table;
	char (*chains)[MOAT_NAME_LEN];	/* the table's chains, as staged */
	size_t n_chains;
	unsigned char *adds;		/* adds[line]: a rule added there */
	size_t n_adds;
};

/* Each table's built-in chains, as the kernel makes them. */
static const struct {
	const char *table;
	const char *const chains[6];
} table_builtins[] = {
	{ "filter", { "INPUT", "FORWARD", "OUTPUT", NULL } },
	{ "nat", { "PREROUTING", "INPUT", "OUTPUT", "POSTROUTING", NULL } },
	{ "mangle", { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING", NULL } },
	{ "raw", { "PREROUTING", "OUTPUT", NULL } },
};

/* The built-in chains of table @name, or NULL if moat has no such table. */
static const char *const *builtins_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(table_builtins) / sizeof(table_builtins[0]); i++)
		if (!strcmp(table_builtins[i].table, name))
			return table_builtins[i].chains;
	return NULL;
}

static const struct option restore_opts[] = {
	{ "noflush", no_argument, NULL, 'n' },
	{ "test", no_argument, NULL, 't' },
	{ "counters", no_argument, NULL, 'c' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "table", required_argument, NULL, 'T' },
	{ "wait", optional_argument, NULL, 'w' },
	{ "wait-interval", optional_argument, NULL, 'W' },
	{ "modprobe", required_argument, NULL, 'M' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* "iptables-restore: line 5 failed", and moat's own reason after it. */
static void __attribute__((noreturn)) line_failed(struct restore *rs,
						  unsigned int line)
{
	fprintf(stderr, "%s: line %u failed\n", moat_self->name, line);
	if (!moat_self->iptables && rs->b.errmsg[0])
		fprintf(stderr, "%s: %s\n", moat_self->name, rs->b.errmsg);
	else if (!moat_self->iptables && rs->b.err == -EPERM)
		fprintf(stderr, "%s: Permission denied (you must be root)\n",
			moat_self->name);
	/* moat's limits say so in any name: iptables has none. */
	if (rs->b.err == -ENOSPC)
		fprintf(stderr, "%s: %s\n", moat_self->name,
			moat_cmd_strerror(0, rs->b.err));
	exit(rs->b.err == -ENOSPC ? MOAT_RESOURCE_PROBLEM : MOAT_OTHER_PROBLEM);
}

static bool has_chain(const struct restore *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->n_chains; i++)
		if (!strcmp(rs->chains[i], name))
			return true;
	return false;
}

static void add_chain(struct restore *rs, const char *name)
{
	char (*chains)[MOAT_NAME_LEN];

	chains = realloc(rs->chains, (rs->n_chains + 1) * sizeof(*chains));
	if (!chains)
		moat_die(MOAT_RESOURCE_PROBLEM, "out of memory");
	rs->chains = chains;
	snprintf(rs->chains[rs->n_chains++], MOAT_NAME_LEN, "%s", name);
}

static bool is_builtin(const struct restore *rs, const char *name)
{
	const char *const *b = builtins_of(rs->table);
	int i;

	for (i = 0; b && b[i]; i++)
		if (!strcmp(b[i], name))
			return true;
	return false;
}

static bool restore_is_chain(void *ctx, const char *name)
{
	return has_chain(ctx, name);
}

static struct nlmsghdr *request(struct restore *rs, uint8_t cmd,
				const char *chain)
{
	struct nlmsghdr *nlh = moat_batch_request(&rs->b, cmd, moat_input_line);

	if (!nlh)
		moat_die(MOAT_RESOURCE_PROBLEM, "out of memory");
	moat_put_table_chain(nlh, rs->table, chain);
	return nlh;
}

static void send_simple(struct restore *rs, uint8_t cmd, const char *chain)
{
	moat_batch_add(&rs->b, request(rs, cmd, chain));
}

/* The chains already in the table, for -n: they may be jumped to. */
static void load_chains(struct restore *rs)
{
	struct moat_table_dump d;
	size_t i;

	if (moat_table_fetch(&rs->nl, rs->table, &d))
		line_failed(rs, moat_input_line);
	for (i = 0; i < d.n; i++)
		if (!d.chains[i].builtin)
			add_chain(rs, d.chains[i].name);
	moat_table_dump_free(&d);
}

/* The tables iptables knows; others it cannot even initialize. */
static bool iptables_table(const char *name)
{
	static const char *const known[] = {
		"filter", "nat", "mangle", "raw", "security", NULL
	};
	int i;

	for (i = 0; known[i]; i++)
		if (!strcmp(known[i], name))
			return true;
	return false;
}

static void start_table(struct restore *rs, char *line)
{
	char *name = strtok(line, " \t\n");
	const char *const *builtins;
	struct nlmsghdr *nlh;
	int i;

	if (!name)
		moat_param_die("%s: line %u table name invalid", moat_self->name,
			       moat_input_line);
	snprintf(rs->table, sizeof(rs->table), "%s", name);
	rs->in_table = true;
	rs->skip_table = rs->only_table && strcmp(rs->only_table, name);
	if (rs->skip_table)
		return;
	if (!iptables_table(name))
		moat_param_die("%s: unable to initialize table '%s'",
			       moat_self->name, name);
	builtins = builtins_of(name);
	if (!builtins) {
		fprintf(stderr, "%s: Table `%s' is not supported by moat\n",
			moat_self->name, name);
		line_failed(rs, moat_input_line);
	}
	rs->n_chains = 0;
	for (i = 0; builtins[i]; i++)
		add_chain(rs, builtins[i]);
	if (rs->noflush)
		load_chains(rs);
	if (moat_batch_init(&rs->b, &rs->nl))
		moat_die(MOAT_RESOURCE_PROBLEM, "out of memory");
	nlh = request(rs, MOAT_CMD_BEGIN, NULL);
	if (!rs->noflush)
		mnl_attr_put_u32(nlh, MOAT_A_TXN_FLAGS, MOAT_TXN_F_FLUSH);
	moat_batch_add(&rs->b, nlh);
	/*
	 * The rules must not go out before the transaction is open: after a
	 * failed BEGIN (another restore holds the table) the module would
	 * apply each on its own, and the table would change part way.
	 */
	if (moat_batch_finish(&rs->b))
		line_failed(rs, moat_input_line);
}

static void mark_add(struct restore *rs, unsigned int line)
{
	unsigned char *adds;
	size_t n;

	if (line >= rs->n_adds) {
		n = (line + 1) * 2;
		adds = realloc(rs->adds, n);
		if (!adds)
			moat_die(MOAT_RESOURCE_PROBLEM, "out of memory");
		memset(adds + rs->n_adds, 0, n - rs->n_adds);
		rs->adds = adds;
		rs->n_adds = n;
	}
	rs->adds[line] = 1;
}

/*
 * iptables-restore stages rules in userspace and the kernel checks them at
 * COMMIT: a rule the kernel refuses (a match's or target's check) fails
 * "line N" of the COMMIT, not of the rule. moat's module checks each rule
 * as it arrives; so such an error waits for the COMMIT line. Not a
 * position past the end or a missing chain, which libiptc finds at once.
 */
static bool failed_at_commit(const struct restore *rs)
{
	unsigned int line = rs->b.err_line;

	return rs->b.err && rs->b.err != -E2BIG && rs->b.err != -ENOENT &&
	       line < rs->n_adds && rs->adds[line];
}

static void end_table(struct restore *rs)
{
	int err;

	rs->in_table = false;
	if (rs->skip_table)
		return;
	/* --test stages everything, so the module checks it, then drops it. */
	send_simple(rs, rs->test ? MOAT_CMD_ABORT : MOAT_CMD_COMMIT, NULL);
	err = moat_batch_finish(&rs->b);
	if (err)
		line_failed(rs, failed_at_commit(rs) ? moat_input_line :
			    rs->b.err_line ?: moat_input_line);
	moat_batch_free(&rs->b);
}

/* As iptables-restore: "[P:B" is enough, what follows is not looked at. */
static bool parse_counters(const char *s, uint64_t *pkts, uint64_t *bytes)
{
	unsigned long long p, b;

	if (sscanf(s, "[%llu:%llu", &p, &b) != 2)
		return false;
	*pkts = p;
	*bytes = b;
	return true;
}

static bool is_standard_target(const char *name)
{
	return !strcmp(name, "ACCEPT") || !strcmp(name, "DROP") ||
	       !strcmp(name, "QUEUE") || !strcmp(name, "RETURN");
}

/* A user chain of a ":CHAIN - [0:0]" line: new, or with -n flushed. */
static void declare_user_chain(struct restore *rs, const char *name)
{
	if (rs->noflush && has_chain(rs, name)) {
		send_simple(rs, MOAT_CMD_FLUSH, name);
		return;
	}
	if (has_chain(rs, name) || is_standard_target(name))
		moat_param_die("error creating chain '%s':File exists", name);
	send_simple(rs, MOAT_CMD_NEW_CHAIN, name);
	add_chain(rs, name);
}

/*
 * ":CHAIN POLICY [pkts:bytes]", checked in iptables-restore's order. A
 * built-in chain's policy counters become the file's with -c, else 0.
 */
static void declare_chain(struct restore *rs, char *line)
{
	char *name = strtok(line + 1, " \t\n");
	char *policy, *cnt;
	struct nlmsghdr *nlh;
	uint64_t pkts = 0, bytes = 0;
	uint32_t verdict;

	if (!name)
		moat_param_die("%s: line %u chain name invalid", moat_self->name,
			       moat_input_line);
	if (strlen(name) >= MOAT_XT_NAME_LEN)
		moat_param_die("Invalid chain name `%s' (%u chars max)", name,
			       MOAT_XT_NAME_LEN - 1);
	if (!is_builtin(rs, name))
		declare_user_chain(rs, name);
	policy = strtok(NULL, " \t\n");
	if (!policy)
		moat_param_die("%s: line %u policy invalid", moat_self->name,
			       moat_input_line);
	if (!strcmp(policy, "-"))
		return;
	cnt = strtok(NULL, " \t\n");
	if (rs->counters && (!cnt || !parse_counters(cnt, &pkts, &bytes)))
		moat_param_die("invalid policy counters for chain '%s'", name);
	verdict = !strcmp(policy, "ACCEPT") ? MOAT_VERDICT_ACCEPT :
		  !strcmp(policy, "DROP") ? MOAT_VERDICT_DROP : 0;
	if (!is_builtin(rs, name) || !verdict)
		moat_die(MOAT_OTHER_PROBLEM, "Can't set policy `%s' on `%s' line %u: %s",
			 policy, name, moat_input_line,
			 is_builtin(rs, name) ? "Bad policy name" : "Bad built-in chain name");
	nlh = request(rs, MOAT_CMD_SET_POLICY, name);
	mnl_attr_put_u32(nlh, MOAT_A_CHAIN_POLICY, verdict);
	moat_put_counters(nlh, MOAT_A_CHAIN_COUNTERS, pkts, bytes);
	moat_batch_add(&rs->b, nlh);
}

/*
 * Splits one line into words as iptables-restore does: blanks separate,
 * double quotes group and are removed, and inside them a backslash takes
 * the next character as it is (iptables-save writes \" \\ and \'). The
 * line still ends in its newline, a blank, except inside a quote left open,
 * which keeps it (so does iptables-restore).
 */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

static int split_words(char *s, char **argv, int max)
{
	int argc = 0;
	char *out, quote;

	for (;;) {
		while (is_blank(*s))
			s++;
		if (!*s)
			return argc;
		if (argc == max)
			return -1;
		argv[argc++] = out = s;
		for (quote = 0; *s && (quote || !is_blank(*s)); s++) {
			if (!quote && *s == '"')
				quote = *s;
			else if (*s == quote)
				quote = 0;
			else if (quote && *s == '\\' && s[1])
				*out++ = *++s;
			else
				*out++ = *s;
		}
		if (*s)
			s++;
		*out = '\0';
	}
}

static void queue_rules(struct restore *rs, const struct moat_command *c,
			bool cnt, uint64_t pkts, uint64_t bytes)
{
	struct nlmsghdr *nlh;
	unsigned int pos;
	uint8_t op = moat_rule_cmd_op(c, &pos);
	size_t i;

	for (i = 0; i < c->n_rules; i++) {
		/* libiptc refuses this at once, not at COMMIT. */
		if ((c->rules[i]->target == MOAT_TARGET_JUMP ||
		     c->rules[i]->target == MOAT_TARGET_GOTO) &&
		    is_builtin(rs, c->rules[i]->chain))
			line_failed(rs, moat_input_line);
		if (cnt) {
			c->rules[i]->has_counters = true;
			c->rules[i]->packets = pkts;
			c->rules[i]->bytes = bytes;
		}
		nlh = request(rs, op, c->chain);
		if (op == MOAT_CMD_NEW_RULE || op == MOAT_CMD_REPLACE_RULE)
			mark_add(rs, moat_input_line);
		if (pos)
			mnl_attr_put_u32(nlh, MOAT_A_RULE_POS, pos);
		if (moat_rule_encode(nlh, MOAT_NL_BUF - nlh->nlmsg_len, c->rules[i]))
			line_failed(rs, moat_input_line);
		moat_batch_add(&rs->b, nlh);
	}
}

static void queue_command(struct restore *rs, const struct moat_command *c)
{
	struct nlmsghdr *nlh;

	if (c->command & CMD_NEW_CHAIN) {
		send_simple(rs, MOAT_CMD_NEW_CHAIN, c->chain);
		add_chain(rs, c->chain);
	} else if (c->command & CMD_DELETE_CHAIN) {
		send_simple(rs, MOAT_CMD_DEL_CHAIN, c->chain);
	} else if (c->command & CMD_FLUSH) {
		send_simple(rs, MOAT_CMD_FLUSH, c->chain);
	} else if (c->command & CMD_DELETE_NUM) {
		nlh = request(rs, MOAT_CMD_DEL_RULE, c->chain);
		mnl_attr_put_u32(nlh, MOAT_A_RULE_POS, c->rulenum);
		moat_batch_add(&rs->b, nlh);
	} else if (c->command & CMD_SET_POLICY) {
		nlh = request(rs, MOAT_CMD_SET_POLICY, c->chain);
		mnl_attr_put_u32(nlh, MOAT_A_CHAIN_POLICY, c->policy);
		moat_batch_add(&rs->b, nlh);
	} else if (c->command & CMD_RENAME_CHAIN) {
		nlh = request(rs, MOAT_CMD_RENAME_CHAIN, c->chain);
		mnl_attr_put_strz(nlh, MOAT_A_CHAIN_NEWNAME, c->newname);
		moat_batch_add(&rs->b, nlh);
		add_chain(rs, c->newname);
	} else if (!(c->command & CMD_RULE_MASK)) {
		line_failed(rs, moat_input_line);
	}
}

/* The table is the one of the "*table" line; iptables-restore says so. */
static void check_no_table_option(char **argv, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (argv[i][0] == '-' &&
		    (argv[i][1] == 't' || (argv[i][1] == '-' && argv[i][2] == 't')) &&
		    (!strcmp(argv[i], "-t") || !strcmp(argv[i], "--table") ||
		     !strncmp(argv[i], "--table=", 8)))
			moat_param_die("The -t option cannot be used in %s.\n",
				       moat_self->name);
}

/* "[pkts:bytes] -A CHAIN ..." */
static void rule_line(struct restore *rs, char *line)
{
	struct moat_parse_env env = { restore_is_chain, rs };
	char *argv[MAX_ARGS + 4];
	struct moat_command cmd;
	uint64_t pkts = 0, bytes = 0;
	bool cnt = false;
	char *end;
	int n;

	if (line[0] == '[') {
		end = strchr(line, ']');
		if (!end)
			moat_param_die("Bad line %u: need ]", moat_input_line);
		cnt = parse_counters(line, &pkts, &bytes) && rs->counters;
		line = end + 1;
	}
	argv[0] = (char *)(moat_self->iptables ? "iptables" : "moat");
	argv[1] = "-t";
	argv[2] = rs->table;
	n = split_words(line, argv + 3, MAX_ARGS);
	if (n < 0)
		moat_param_die("too many arguments");
	check_no_table_option(argv + 3, n);
	argv[n + 3] = NULL;
	moat_parse_command(n + 3, argv, &cmd, &env);
	if (cmd.command & CMD_RULE_MASK)
		queue_rules(rs, &cmd, cnt, pkts, bytes);
	else
		queue_command(rs, &cmd);
	moat_cmd_free(&cmd);
}

static void restore_line(struct restore *rs, char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '\n' || *line == '#')
		return;
	if (!rs->in_table) {
		if (*line != '*')
			line_failed(rs, moat_input_line);
		start_table(rs, line + 1);
	} else if (!strcmp(line, "COMMIT\n") || !strcmp(line, "COMMIT")) {
		end_table(rs);
	} else if (rs->skip_table) {
		return;
	} else if (*line == ':') {
		declare_chain(rs, line);
	} else {
		rule_line(rs, line);
	}
	if (rs->in_table && !rs->skip_table && rs->b.err && !failed_at_commit(rs))
		line_failed(rs, rs->b.err_line);
}

/* iptables' xs_has_arg: the next word is an argument, not an option. */
static bool next_is_arg(int argc, char **argv)
{
	return optind < argc && argv[optind][0] != '-' && argv[optind][0] != '!';
}

/* -w [seconds]: taken, checked, and not needed (moat has no lock). */
static int parse_wait(int argc, char **argv)
{
	const char *arg = optarg ?: next_is_arg(argc, argv) ? argv[optind++] : NULL;
	int wait = -1;

	if (arg && sscanf(arg, "%i", &wait) != 1)
		moat_param_die("wait seconds not numeric");
	return wait;
}

static void parse_wait_interval(int argc, char **argv)
{
	const char *arg = optarg ?: next_is_arg(argc, argv) ? argv[optind++] : NULL;
	unsigned int usec;

	if (!arg)
		moat_param_die("wait interval value required");
	if (sscanf(arg, "%u", &usec) != 1)
		moat_param_die("wait interval not numeric");
	if (usec > 999999)
		moat_param_die("too long usec wait %u > 999999 usec", usec);
	fprintf(stderr, "Ignoring deprecated --wait-interval option.\n");
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "Usage: %s [-c] [-v] [-V] [-t] [-h] [-n] [-w secs] [-W usecs] [-T table] [-M command] [file]\n"
		"\t   [ --counters ]\n"
		"\t   [ --verbose ]\n"
		"\t   [ --version]\n"
		"\t   [ --test ]\n"
		"\t   [ --help ]\n"
		"\t   [ --noflush ]\n"
		"\t   [ --wait=<seconds>\n"
		"\t   [ --table=<TABLE> ]\n"
		"\t   [ --modprobe=<command> ]\n", moat_self->name);
	exit(0);
}

/* iptables-restore's options, words and exit statuses (1, not 2). */
static void parse_args(struct restore *rs, int argc, char **argv)
{
	bool interval = false;
	int c, wait = 0;

	while ((c = getopt_long(argc, argv, "bcvVthnwWM:T:", restore_opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			fprintf(stderr, "-b/--binary option is not implemented\n");
			break;
		case 'n':
			rs->noflush = true;
			break;
		case 't':
			rs->test = true;
			break;
		case 'c':
			rs->counters = true;
			break;
		case 'T':
			rs->only_table = optarg;
			break;
		case 'V':
			printf("%s\n", moat_banner());
			exit(0);
		case 'h':
			usage();
		case 'w':
			wait = parse_wait(argc, argv);
			break;
		case 'W':
			parse_wait_interval(argc, argv);
			interval = true;
			break;
		case 'v':
		case 'M':
			break;
		default:
			fprintf(stderr, "Try `%s -h' for more information.\n", moat_self->name);
			exit(MOAT_OTHER_PROBLEM);
		}
	}
	rs->in = stdin;
	if (optind == argc - 1) {
		rs->in = fopen(argv[optind], "r");
		if (!rs->in) {
			fprintf(stderr, "Can't open %s: %s\n", argv[optind], strerror(errno));
			exit(MOAT_OTHER_PROBLEM);
		}
	} else if (optind < argc) {
		fprintf(stderr, "Unknown arguments found on commandline\n");
		exit(MOAT_OTHER_PROBLEM);
	}
	if (interval && !wait) {
		fprintf(stderr, "Option --wait-interval requires option --wait\n");
		exit(MOAT_OTHER_PROBLEM);
	}
}

int moat_restore_main(int argc, char **argv)
{
	struct restore rs = { 0 };
	size_t cap = 0;
	char *line = NULL;
	int err;

	parse_args(&rs, argc, argv);
	err = moat_nl_open(&rs.nl);
	if (err)
		moat_die(MOAT_OTHER_PROBLEM, "%s", err == -EPERM ?
			 "Permission denied (you must be root)" : strerror(-err));
	while (getline(&line, &cap, rs.in) >= 0) {
		moat_input_line++;
		restore_line(&rs, line);
	}
	/* Without its COMMIT a table stays as it was: closing aborts. */
	if (rs.in_table)
		fprintf(stderr, "%s: COMMIT expected at line %u\n",
			moat_self->name, moat_input_line + 1);
	if (rs.in != stdin)
		fclose(rs.in);
	free(line);
	free(rs.chains);
	free(rs.adds);
	moat_batch_free(&rs.b);
	moat_nl_close(&rs.nl);
	return rs.in_table ? MOAT_OTHER_PROBLEM : 0;
}
