// SPDX-License-Identifier: GPL-2.0
/* moat: runs a parsed iptables command against the module. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/moat.h>
#include "exec.h"
#include "print.h"
#include "prog.h"
#include "table.h"

struct errmap {
	unsigned int command;	/* 0: any command */
	int err;
	const char *msg;
};

/* Most specific first: iptables words some errors by command. */
static const struct errmap errmap[] = {
	{ CMD_NEW_CHAIN, EEXIST, "Chain already exists." },
	{ CMD_RENAME_CHAIN, EEXIST, "File exists." },
	{ CMD_DELETE | CMD_CHECK, ESRCH,
	  "Bad rule (does a matching rule exist in that chain?)." },
	{ CMD_DELETE | CMD_CHECK, ENOENT,
	  "Bad rule (does a matching rule exist in that chain?)." },
	{ CMD_INSERT, E2BIG, "Index of insertion too big." },
	{ CMD_REPLACE, E2BIG, "Index of replacement too big." },
	{ CMD_DELETE_NUM, E2BIG, "Index of deletion too big." },
	{ CMD_ZERO_NUM, E2BIG, "Index of counter too big." },
	{ CMD_SET_POLICY, ENOENT, "Bad built-in chain name." },
	{ CMD_SET_POLICY, EINVAL, "Bad policy name. Run `dmesg' for more information." },
	{ CMD_SET_POLICY, ERANGE, "Bad policy name. Run `dmesg' for more information." },
	{ 0, ENOENT, "No chain/target/match by that name." },
	{ 0, EMLINK, "Too many links." },
	{ 0, ENOTEMPTY, "Directory not empty." },
	{ 0, ELOOP, "Too many levels of symbolic links." },
	{ 0, EINVAL, "Invalid argument. Run `dmesg' for more information." },
	{ 0, ENOMEM, "Memory allocation problem." },
	/* moat's own: the namespace's max_rules or max_rule_mem. */
	{ 0, ENOSPC, "Too many rules in this network namespace (module parameters max_rules, max_rule_mem)." },
};

const char *moat_cmd_strerror(unsigned int command, int err)
{
	static char other[128];
	size_t i;

	for (i = 0; i < sizeof(errmap) / sizeof(errmap[0]); i++)
		if (errmap[i].err == -err &&
		    (!errmap[i].command || (errmap[i].command & command)))
			return errmap[i].msg;
	snprintf(other, sizeof(other), "%s.", strerror(-err));
	return other;
}

static void __attribute__((noreturn)) die_table(const char *table,
						const char *why)
{
	fprintf(stderr, "%s: can't initialize iptables table `%s': %s\n"
		"Perhaps iptables or your kernel needs to be upgraded.\n",
		moat_banner(), table, why);
	exit(MOAT_VERSION_PROBLEM);
}

void moat_die_no_table(const char *table)
{
	die_table(table, "Table does not exist (do you need to insmod?)");
}

/*
 * A rule -D or -C did not find: iptables says "Bad rule" when it ends in a
 * verdict or nothing, but libiptc's generic words after it has looked up
 * a chain or target name (a jump, a goto, REJECT, LOG, ...).
 */
static bool named_target(const struct moat_command *c)
{
	enum moat_target_type t = c->n_rules ? c->rules[0]->target :
					       MOAT_TARGET_NONE;

	return t == MOAT_TARGET_JUMP || t == MOAT_TARGET_GOTO ||
	       t == MOAT_TARGET_EXT;
}

/* Prints iptables' error line; moat adds the module's own explanation. */
static int fail(const struct moat_nl *nl, const struct moat_command *c,
		int err)
{
	unsigned int command = c->command;

	if (err == -ESRCH && named_target(c)) {
		command = 0;
		err = -ENOENT;
	}

	/* iptables opens the table first: a missing one fails every command. */
	if (err == -ENXIO)
		moat_die_no_table(c->table);
	if (err == -EPERM)
		die_table(c->table, "Permission denied (you must be root)");
	fprintf(stderr, "%s: %s\n", moat_self->name,
		moat_cmd_strerror(command, err));
	if (!moat_self->iptables && nl->errmsg[0])
		fprintf(stderr, "%s: %s\n", moat_self->name, nl->errmsg);
	return moat_err_status(err);
}

/* iptables' exit status for a kernel error: 4 for want of resources. */
int moat_err_status(int err)
{
	return err == -ENOMEM || err == -ENOSPC ? MOAT_RESOURCE_PROBLEM :
						 MOAT_OTHER_PROBLEM;
}

void moat_put_table_chain(struct nlmsghdr *nlh, const char *table,
			  const char *chain)
{
	mnl_attr_put_strz(nlh, MOAT_A_TABLE_NAME, table);
	if (chain)
		mnl_attr_put_strz(nlh, MOAT_A_CHAIN_NAME, chain);
}

static struct nlmsghdr *request(struct moat_nl *nl, void *buf, uint8_t cmd,
				const struct moat_command *c, const char *chain)
{
	struct nlmsghdr *nlh = moat_nl_request(nl, buf, cmd, 0);

	moat_put_table_chain(nlh, c->table, chain);
	return nlh;
}

void moat_put_counters(struct nlmsghdr *nlh, int type, uint64_t pkts,
		       uint64_t bytes)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u64(nlh, MOAT_A_COUNTERS_PACKETS, pkts);
	mnl_attr_put_u64(nlh, MOAT_A_COUNTERS_BYTES, bytes);
	mnl_attr_nest_end(nlh, nest);
}

/* One rule command: NEW/DEL/REPLACE/CHECK_RULE, @pos 0 for none. */
static int rule_op(struct moat_nl *nl, const struct moat_command *c, uint8_t op,
		   const struct moat_rule *r, unsigned int pos)
{
	char buf[MOAT_NL_BUF];
	struct nlmsghdr *nlh = request(nl, buf, op, c, c->chain);

	if (pos)
		mnl_attr_put_u32(nlh, MOAT_A_RULE_POS, pos);
	if (r && moat_rule_encode(nlh, sizeof(buf), r))
		return -EMSGSIZE;
	return moat_nl_talk(nl, nlh, NULL, NULL);
}

uint8_t moat_rule_cmd_op(const struct moat_command *c, unsigned int *pos)
{
	*pos = 0;
	switch (c->command & CMD_RULE_MASK) {
	case CMD_APPEND:
		return MOAT_CMD_NEW_RULE;
	case CMD_INSERT:
		*pos = c->rulenum;
		return MOAT_CMD_NEW_RULE;
	case CMD_REPLACE:
		*pos = c->rulenum;
		return MOAT_CMD_REPLACE_RULE;
	case CMD_DELETE:
		return MOAT_CMD_DEL_RULE;
	default:
		return MOAT_CMD_CHECK_RULE;
	}
}

static int simple_cmd(struct moat_nl *nl, const struct moat_command *c, uint8_t op,
		      const char *chain)
{
	char buf[MOAT_NL_BUF];

	return moat_nl_talk(nl, request(nl, buf, op, c, chain), NULL, NULL);
}

/* Ends the transaction of rules_cmd: commits, or after @err aborts. */
static int rules_txn_end(struct moat_nl *nl, const struct moat_command *c,
			 int err)
{
	char msg[sizeof(nl->errmsg)];

	if (!err)
		return simple_cmd(nl, c, MOAT_CMD_COMMIT, NULL);
	/* The abort must not take the failed request's message with it. */
	memcpy(msg, nl->errmsg, sizeof(msg));
	simple_cmd(nl, c, MOAT_CMD_ABORT, NULL);
	memcpy(nl->errmsg, msg, sizeof(msg));
	return err;
}

/*
 * The rules of -A/-I/-D/-R/-C, one request each, stopping at an error.
 * Several of them (-s a,b) change the table in one transaction, as
 * iptables' one table replace does: all of them, or none.
 */
static int rules_cmd(struct moat_nl *nl, const struct moat_command *c)
{
	unsigned int pos;
	uint8_t op = moat_rule_cmd_op(c, &pos);
	bool txn = c->n_rules > 1 && op != MOAT_CMD_CHECK_RULE;
	size_t i;
	int err = 0;

	if (txn) {
		err = simple_cmd(nl, c, MOAT_CMD_BEGIN, NULL);
		if (err)
			return err;
	}
	for (i = 0; i < c->n_rules && !err; i++) {
		if (c->opts & OPT_VERBOSE)
			moat_print_rule_verbose(stdout, c->rules[i]);
		err = rule_op(nl, c, op, c->rules[i], pos);
	}
	return txn ? rules_txn_end(nl, c, err) : err;
}

/* "Flushing chain `x'" and its kin, for each chain -v names. */
static int say_chains(struct moat_nl *nl, const struct moat_command *c,
		      const char *verb)
{
	struct moat_table_dump d;
	size_t i;
	int err;

	if (!(c->opts & OPT_VERBOSE))
		return 0;
	if (c->chain) {
		printf("%s chain `%s'\n", verb, c->chain);
		return 0;
	}
	err = moat_table_fetch(nl, c->table, &d);
	if (err)
		return err;
	for (i = 0; i < d.n; i++)
		if (strcmp(verb, "Deleting") || !d.chains[i].builtin)
			printf("%s chain `%s'\n", verb, d.chains[i].name);
	moat_table_dump_free(&d);
	return 0;
}

static int zero_cmd(struct moat_nl *nl, const struct moat_command *c)
{
	char buf[MOAT_NL_BUF];
	struct nlmsghdr *nlh = request(nl, buf, MOAT_CMD_ZERO, c, c->chain);
	int err = say_chains(nl, c, "Zeroing");

	if (err)
		return err;
	if (c->command & CMD_ZERO_NUM)
		mnl_attr_put_u32(nlh, MOAT_A_RULE_POS, c->rulenum);
	return moat_nl_talk(nl, nlh, NULL, NULL);
}

static int list_cmd(struct moat_nl *nl, const struct moat_command *c)
{
	struct moat_table_dump d;
	int err = moat_table_fetch(nl, c->table, &d);

	if (err)
		return err;
	if (c->chain && !moat_table_chain(&d, c->chain)) {
		moat_table_dump_free(&d);
		return -ENOENT;
	}
	if (c->command & CMD_LIST)
		moat_print_list(stdout, d.chains, d.n, c->chain, c->rulenum, c->opts);
	else
		moat_print_rules(stdout, d.chains, d.n, c->chain, c->rulenum, c->opts);
	moat_table_dump_free(&d);
	return 0;
}

static int policy_cmd(struct moat_nl *nl, const struct moat_command *c)
{
	char buf[MOAT_NL_BUF];
	struct nlmsghdr *nlh = request(nl, buf, MOAT_CMD_SET_POLICY, c, c->chain);

	/* An unknown word goes to the module too, which refuses it. */
	mnl_attr_put_u32(nlh, MOAT_A_CHAIN_POLICY, c->policy);
	if (c->counters_given)
		moat_put_counters(nlh, MOAT_A_CHAIN_COUNTERS, c->pkts, c->bytes);
	return moat_nl_talk(nl, nlh, NULL, NULL);
}

static int rename_cmd(struct moat_nl *nl, const struct moat_command *c)
{
	char buf[MOAT_NL_BUF];
	struct nlmsghdr *nlh = request(nl, buf, MOAT_CMD_RENAME_CHAIN, c, c->chain);

	mnl_attr_put_strz(nlh, MOAT_A_CHAIN_NEWNAME, c->newname);
	return moat_nl_talk(nl, nlh, NULL, NULL);
}

static int run(struct moat_nl *nl, const struct moat_command *c)
{
	unsigned int cmd = c->command;
	int err;

	if (cmd & CMD_RULE_MASK)
		return rules_cmd(nl, c);
	if (cmd & CMD_DELETE_NUM)
		return rule_op(nl, c, MOAT_CMD_DEL_RULE, NULL, c->rulenum);
	if (cmd & (CMD_LIST | CMD_LIST_RULES)) {
		err = list_cmd(nl, c);
		if (err || !(cmd & CMD_ZERO))
			return err;
	}
	if (cmd & (CMD_ZERO | CMD_ZERO_NUM))
		return zero_cmd(nl, c);
	if (cmd & CMD_FLUSH)
		return say_chains(nl, c, "Flushing") ?:
		       simple_cmd(nl, c, MOAT_CMD_FLUSH, c->chain);
	if (cmd & CMD_NEW_CHAIN)
		return simple_cmd(nl, c, MOAT_CMD_NEW_CHAIN, c->chain);
	if (cmd & CMD_DELETE_CHAIN)
		return say_chains(nl, c, "Deleting") ?:
		       simple_cmd(nl, c, MOAT_CMD_DEL_CHAIN, c->chain);
	if (cmd & CMD_RENAME_CHAIN)
		return rename_cmd(nl, c);
	if (cmd & CMD_SET_POLICY)
		return policy_cmd(nl, c);
	return -EINVAL;
}

int moat_exec(struct moat_nl *nl, const struct moat_command *c)
{
	int err;

	/* libiptc's words for a name no table can have: the module takes none. */
	if (strlen(c->table) >= MOAT_NAME_LEN)
		die_table(c->table, "Module is wrong version");
	err = run(nl, c);

	return err ? fail(nl, c, err) : 0;
}
