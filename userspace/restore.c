// SPDX-License-Identifier: GPL-2.0
/*
 * moat-restore: reads the iptables-save format and applies each table
 * between "*table" and "COMMIT" as one transaction, streamed to the module
 * in batches: the table changes whole or not at all.
 */
#include <errno.h>
#include <getopt.h>
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
};

static const char *const filter_builtins[] = { "INPUT", "FORWARD", "OUTPUT", NULL };

static const struct option restore_opts[] = {
	{ "noflush", no_argument, NULL, 'n' },
	{ "test", no_argument, NULL, 't' },
	{ "counters", no_argument, NULL, 'c' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "table", required_argument, NULL, 'T' },
	{ "wait", optional_argument, NULL, 'w' },
	{ "wait-interval", required_argument, NULL, 'W' },
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

static bool is_builtin(const char *name)
{
	int i;

	for (i = 0; filter_builtins[i]; i++)
		if (!strcmp(filter_builtins[i], name))
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

static void start_table(struct restore *rs, const char *name)
{
	struct nlmsghdr *nlh;
	int i;

	snprintf(rs->table, sizeof(rs->table), "%s", name);
	rs->in_table = true;
	rs->skip_table = rs->only_table && strcmp(rs->only_table, name);
	if (rs->skip_table)
		return;
	if (strcmp(name, "filter")) {
		fprintf(stderr, "%s: Table `%s' is not supported by moat yet\n",
			moat_self->name, name);
		line_failed(rs, moat_input_line);
	}
	rs->n_chains = 0;
	for (i = 0; filter_builtins[i]; i++)
		add_chain(rs, filter_builtins[i]);
	if (rs->noflush)
		load_chains(rs);
	if (moat_batch_init(&rs->b, &rs->nl))
		moat_die(MOAT_RESOURCE_PROBLEM, "out of memory");
	nlh = request(rs, MOAT_CMD_BEGIN, NULL);
	if (!rs->noflush)
		mnl_attr_put_u32(nlh, MOAT_A_TXN_FLAGS, MOAT_TXN_F_FLUSH);
	moat_batch_add(&rs->b, nlh);
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
		line_failed(rs, rs->b.err_line ?: moat_input_line);
	moat_batch_free(&rs->b);
}

static bool parse_counters(const char *s, uint64_t *pkts, uint64_t *bytes)
{
	unsigned long long p, b;
	char end;

	if (sscanf(s, "[%llu:%llu%c", &p, &b, &end) != 3 || end != ']')
		return false;
	*pkts = p;
	*bytes = b;
	return true;
}

/* ":CHAIN POLICY [pkts:bytes]" */
static void declare_chain(struct restore *rs, char *line)
{
	char *name = strtok(line + 1, " \t");
	char *policy = strtok(NULL, " \t");
	char *cnt = strtok(NULL, " \t");
	struct nlmsghdr *nlh;
	uint64_t pkts = 0, bytes = 0;
	uint32_t verdict;

	if (!name || !policy)
		line_failed(rs, moat_input_line);
	if (!is_builtin(name)) {
		if (has_chain(rs, name) && !rs->noflush)
			moat_param_die("error creating chain '%s':File exists", name);
		send_simple(rs, has_chain(rs, name) ? MOAT_CMD_FLUSH :
						      MOAT_CMD_NEW_CHAIN, name);
		if (!has_chain(rs, name))
			add_chain(rs, name);
		return;
	}
	if (!strcmp(policy, "-"))
		return;
	verdict = !strcmp(policy, "ACCEPT") ? MOAT_VERDICT_ACCEPT :
		  !strcmp(policy, "DROP") ? MOAT_VERDICT_DROP : 0;
	if (!verdict)
		moat_die(MOAT_OTHER_PROBLEM, "Can't set policy `%s' on `%s' line %u: Bad policy name",
			 policy, name, moat_input_line);
	nlh = request(rs, MOAT_CMD_SET_POLICY, name);
	mnl_attr_put_u32(nlh, MOAT_A_CHAIN_POLICY, verdict);
	if (rs->counters && cnt && parse_counters(cnt, &pkts, &bytes))
		moat_put_counters(nlh, MOAT_A_CHAIN_COUNTERS, pkts, bytes);
	moat_batch_add(&rs->b, nlh);
}

/*
 * Splits one line into words as iptables-restore does: blanks separate,
 * double quotes group and are removed, and inside them a backslash takes
 * the next character as it is (iptables-save writes \" \\ and \').
 */
static int split_words(char *s, char **argv, int max)
{
	int argc = 0;
	char *out, quote;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return argc;
		if (argc == max)
			return -1;
		argv[argc++] = out = s;
		for (quote = 0; *s && (quote || (*s != ' ' && *s != '\t')); s++) {
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
		if (cnt) {
			c->rules[i]->has_counters = true;
			c->rules[i]->packets = pkts;
			c->rules[i]->bytes = bytes;
		}
		nlh = request(rs, op, c->chain);
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

/* "[pkts:bytes] -A CHAIN ..." */
static void rule_line(struct restore *rs, char *line)
{
	struct moat_parse_env env = { restore_is_chain, rs };
	char *argv[MAX_ARGS + 4];
	struct moat_command cmd;
	uint64_t pkts = 0, bytes = 0;
	bool cnt = false;
	int n;

	if (line[0] == '[') {
		cnt = parse_counters(line, &pkts, &bytes) && rs->counters;
		line = strchr(line, ']') + 1;
	}
	argv[0] = (char *)(moat_self->iptables ? "iptables" : "moat");
	argv[1] = "-t";
	argv[2] = rs->table;
	n = split_words(line, argv + 3, MAX_ARGS);
	if (n < 0)
		moat_param_die("too many arguments");
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
	line[strcspn(line, "\n")] = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#')
		return;
	if (!rs->in_table) {
		if (*line != '*')
			line_failed(rs, moat_input_line);
		start_table(rs, line + 1);
	} else if (!strcmp(line, "COMMIT")) {
		end_table(rs);
	} else if (rs->skip_table) {
		return;
	} else if (*line == ':') {
		declare_chain(rs, line);
	} else {
		rule_line(rs, line);
	}
	if (rs->in_table && !rs->skip_table && rs->b.err)
		line_failed(rs, rs->b.err_line);
}

static void parse_args(struct restore *rs, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "ntcvT:w::W:M:Vh", restore_opts, NULL)) != -1) {
		switch (c) {
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
			printf("Usage: %s [-c] [-v] [-V] [-t] [-h] [-n] [-w secs] [-W usecs] [-T table] [-M command] [file]\n",
			       moat_self->name);
			exit(0);
		case 'v':
		case 'w':
		case 'W':
		case 'M':
			break;
		default:
			moat_try_help();
		}
	}
	rs->in = stdin;
	if (optind < argc) {
		rs->in = fopen(argv[optind], "r");
		if (!rs->in)
			moat_die(MOAT_OTHER_PROBLEM, "Can't open %s: %s", argv[optind],
				 strerror(errno));
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
	if (rs.in_table) {
		fprintf(stderr, "%s: COMMIT expected at line %u\n",
			moat_self->name, moat_input_line + 1);
		return MOAT_OTHER_PROBLEM;
	}
	free(line);
	free(rs.chains);
	moat_nl_close(&rs.nl);
	return 0;
}
