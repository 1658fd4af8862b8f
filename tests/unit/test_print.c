// SPDX-License-Identifier: GPL-2.0
/*
 * -L and -S output against iptables-legacy's, byte for byte.  Each golden
 * scenario (tests/unit/golden/NAME.cmds) is parsed and applied to a small
 * in-memory table standing in for the kernel; each listing in NAME.out is
 * then printed and compared, as are the -v lines the commands printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "parse.h"
#include "print.h"
#include "prog.h"
#include "suites.h"

#define MAX_CHAINS 16

struct table {
	struct moat_chain_info c[MAX_CHAINS];
	size_t n;
};

static struct moat_chain_info *add_chain(struct table *t, const char *name,
					 bool builtin)
{
	struct moat_chain_info *c = &t->c[t->n++];

	ck_assert_uint_le(t->n, MAX_CHAINS);
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->builtin = builtin;
	c->policy = MOAT_VERDICT_ACCEPT;
	return c;
}

static struct moat_chain_info *find_chain(struct table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->c[i].name, name) == 0)
			return &t->c[i];
	ck_abort_msg("no chain %s", name);
	return NULL;
}

static void insert_rule(struct moat_chain_info *c, size_t pos,
			struct moat_rule *r)
{
	ck_assert_uint_le(pos, c->n_rules);
	c->rules = realloc(c->rules, (c->n_rules + 1) * sizeof(*c->rules));
	memmove(&c->rules[pos + 1], &c->rules[pos],
		(c->n_rules - pos) * sizeof(*c->rules));
	c->rules[pos] = moat_rule_clone(r);
	c->n_rules++;
}

static void delete_rule(struct moat_chain_info *c, size_t pos)
{
	ck_assert_uint_lt(pos, c->n_rules);
	moat_rule_free(c->rules[pos]);
	memmove(&c->rules[pos], &c->rules[pos + 1],
		(c->n_rules - pos - 1) * sizeof(*c->rules));
	c->n_rules--;
}

/* What the kernel would do with one parsed command. */
static void apply(struct table *t, const struct moat_command *cmd)
{
	struct moat_chain_info *c;
	size_t i;

	if (cmd->command == CMD_NEW_CHAIN) {
		add_chain(t, cmd->chain, false);
		return;
	}
	c = find_chain(t, cmd->chain);
	switch (cmd->command) {
	case CMD_SET_POLICY:
		c->policy = cmd->policy;
		if (cmd->counters_given) {
			c->packets = cmd->pkts;
			c->bytes = cmd->bytes;
		}
		break;
	case CMD_APPEND:
		for (i = 0; i < cmd->n_rules; i++)
			insert_rule(c, c->n_rules, cmd->rules[i]);
		break;
	case CMD_INSERT:
		for (i = 0; i < cmd->n_rules; i++)
			insert_rule(c, cmd->rulenum - 1, cmd->rules[i]);
		break;
	case CMD_REPLACE:
		delete_rule(c, cmd->rulenum - 1);
		insert_rule(c, cmd->rulenum - 1, cmd->rules[0]);
		break;
	case CMD_DELETE_NUM:
		delete_rule(c, cmd->rulenum - 1);
		break;
	default:
		ck_abort_msg("command %#x not modelled", cmd->command);
	}
}

static void count_refs(struct table *t)
{
	const struct moat_rule *r;
	size_t i, j, k;

	for (i = 0; i < t->n; i++) {
		t->c[i].refs = 0;
		for (j = 0; j < t->n; j++) {
			for (k = 0; k < t->c[j].n_rules; k++) {
				r = t->c[j].rules[k];
				if ((r->target == MOAT_TARGET_JUMP ||
				     r->target == MOAT_TARGET_GOTO) &&
				    strcmp(r->chain, t->c[i].name) == 0)
					t->c[i].refs++;
			}
		}
	}
}

static void free_table(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		while (t->c[i].n_rules)
			delete_rule(&t->c[i], 0);
	for (i = 0; i < t->n; i++)
		free(t->c[i].rules);
}

/* Runs one "### cmd: LINE" and returns its -v output. */
static char *run_command(struct table *t, const char *line)
{
	struct moat_command cmd;
	char **argv, *out = NULL;
	int argc = split_words(line, &argv);
	size_t len, i;
	FILE *f = open_memstream(&out, &len);

	moat_parse_command(argc, argv, &cmd, &test_env);
	apply(t, &cmd);
	if (cmd.verbose && (cmd.command & CMD_RULE_MASK))
		for (i = 0; i < cmd.n_rules; i++)
			moat_print_rule_verbose(f, cmd.rules[i]);
	fclose(f);
	moat_cmd_free(&cmd);
	free_words(argc, argv);
	return out;
}

/* Prints one "### ARGS" listing. */
static char *run_listing(struct table *t, const char *line)
{
	struct moat_command cmd;
	char **argv, *out = NULL;
	int argc = split_words(line, &argv), err;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	moat_parse_command(argc, argv, &cmd, &test_env);
	count_refs(t);
	if (cmd.command & CMD_LIST)
		err = moat_print_list(f, t->c, t->n, cmd.chain, cmd.rulenum,
				      cmd.opts);
	else
		err = moat_print_rules(f, t->c, t->n, cmd.chain, cmd.rulenum,
				       cmd.opts);
	ck_assert_int_eq(err, 0);
	fclose(f);
	moat_cmd_free(&cmd);
	free_words(argc, argv);
	return out;
}

/* The built-in chains of each table, in the kernel's hook order. */
static void add_builtins(struct table *t, const char *table)
{
	static const struct {
		const char *table, *chains[6];
	} builtins[] = {
		{ "filter", { "INPUT", "FORWARD", "OUTPUT" } },
		{ "nat", { "PREROUTING", "INPUT", "OUTPUT", "POSTROUTING" } },
		{ "mangle", { "PREROUTING", "INPUT", "FORWARD", "OUTPUT",
			      "POSTROUTING" } },
		{ "raw", { "PREROUTING", "OUTPUT" } },
	};
	size_t i, j;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		if (strcmp(builtins[i].table, table))
			continue;
		for (j = 0; builtins[i].chains[j]; j++)
			add_chain(t, builtins[i].chains[j], true);
		return;
	}
	ck_abort_msg("no table %s", table);
}

static void check_scenario(const char *name, const char *table)
{
	char file[64], *golden, *p, *line, *body, *next, *got;
	struct table t = { .n = 0 };
	int sections = 0;

	snprintf(file, sizeof(file), "%s.out", name);
	golden = read_file(golden_path(file));
	ck_assert_msg(golden, "no %s", golden_path(file));
	add_builtins(&t, table);
	moat_self = moat_prog_find("iptables");
	for (p = golden; *p; p = next, sections++) {
		ck_assert_msg(strncmp(p, "### ", 4) == 0, "bad golden %s", name);
		line = p + 4;
		body = strchr(line, '\n');
		*body++ = '\0';
		next = strncmp(body, "### ", 4) == 0 ? body :
		       strstr(body, "\n### ");
		if (next != body)
			next = next ? next + 1 : body + strlen(body);
		got = strncmp(line, "cmd: ", 5) == 0 ?
		      run_command(&t, line + 5) : run_listing(&t, line);
		if (strlen(got) != (size_t)(next - body) ||
		    strncmp(got, body, next - body) != 0) {
			/* Check's messages are short: the detail goes here. */
			fprintf(stderr, "%s: iptables %s\n--- want\n%.*s--- got\n%s",
				name, line, (int)(next - body), body, got);
			ck_abort_msg("%s: iptables %s: output differs", name, line);
		}
		free(got);
	}
	ck_assert_int_gt(sections, 18);
	free_table(&t);
	free(golden);
}

START_TEST(test_golden)
{
	static const struct {
		const char *name, *table;
	} scenarios[] = {
		{ "basic", "filter" }, { "tcpudp", "filter" },
		{ "icmp", "filter" }, { "chains", "filter" },
		{ "multi", "filter" }, { "longopts", "filter" },
		{ "matches", "filter" }, { "targets", "filter" },
		{ "nat", "nat" }, { "mangle", "mangle" }, { "raw", "raw" },
	};

	ck_assert_uint_lt(_i, sizeof(scenarios) / sizeof(scenarios[0]));
	check_scenario(scenarios[_i].name, scenarios[_i].table);
}
END_TEST

START_TEST(test_unknown_chain)
{
	struct moat_chain_info c = { .name = "INPUT", .builtin = true };
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	ck_assert_int_eq(moat_print_list(f, &c, 1, "nope", 0, 0), -ENOENT);
	ck_assert_int_eq(moat_print_rules(f, &c, 1, "nope", 0, 0), -ENOENT);
	ck_assert_int_eq(moat_print_rules(f, &c, 1, "INPUT", 5, 0), 0);
	fclose(f);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

Suite *print_suite(void)
{
	Suite *s = suite_create("print");
	TCase *tc = tcase_create("golden");

	/* Without -n every address is looked up: allow for a slow resolver. */
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_golden, 0, 11);
	tcase_add_test(tc, test_unknown_chain);
	suite_add_tcase(s, tc);
	return s;
}
