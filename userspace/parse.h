/* SPDX-License-Identifier: GPL-2.0 */
/*
 * moat: the iptables command line, read exactly as iptables 1.8.9 reads
 * it.  Parameter problems print iptables' message and exit with status 2.
 */
#ifndef MOAT_PARSE_H
#define MOAT_PARSE_H

/* iptables' XT_EXTENSION_MAXNAMELEN: chain and target names are shorter. */
#define MOAT_XT_NAME_LEN 29

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rule.h"

/* Commands: bits, as -L -Z and -S -Z combine.  iptables' own values. */
enum {
	CMD_NONE		= 0,
	CMD_INSERT		= 1u << 0,
	CMD_DELETE		= 1u << 1,	/* by rule specification */
	CMD_DELETE_NUM		= 1u << 2,
	CMD_REPLACE		= 1u << 3,
	CMD_APPEND		= 1u << 4,
	CMD_LIST		= 1u << 5,
	CMD_FLUSH		= 1u << 6,
	CMD_ZERO		= 1u << 7,
	CMD_NEW_CHAIN		= 1u << 8,
	CMD_DELETE_CHAIN	= 1u << 9,
	CMD_SET_POLICY		= 1u << 10,
	CMD_RENAME_CHAIN	= 1u << 11,
	CMD_LIST_RULES		= 1u << 12,	/* -S */
	CMD_ZERO_NUM		= 1u << 13,
	CMD_CHECK		= 1u << 14,
	/* Not iptables commands: -h and -V stop the parse where they are. */
	CMD_HELP		= 1u << 16,
	CMD_VERSION		= 1u << 17,
};

/* The commands that carry a rule (cmd->rules). */
#define CMD_RULE_MASK (CMD_APPEND | CMD_INSERT | CMD_DELETE | CMD_REPLACE | \
		       CMD_CHECK)

/* Options: bits in cmd->opts, in iptables' order. */
enum {
	OPT_NUMERIC		= 1u << 0,	/* -n */
	OPT_SOURCE		= 1u << 1,	/* -s */
	OPT_DESTINATION		= 1u << 2,	/* -d */
	OPT_PROTOCOL		= 1u << 3,	/* -p */
	OPT_JUMP		= 1u << 4,	/* -j, -g */
	OPT_VERBOSE		= 1u << 5,	/* -v */
	OPT_EXACT		= 1u << 6,	/* -x */
	OPT_IN			= 1u << 7,	/* -i */
	OPT_OUT			= 1u << 8,	/* -o */
	OPT_LINE_NUMBERS	= 1u << 9,	/* --line-numbers */
	OPT_COUNTERS		= 1u << 10,	/* -c */
	OPT_FRAGMENT		= 1u << 11,	/* -f */
};

struct moat_parse_env {
	/*
	 * Whether @name is a chain of the table: iptables decides so whether
	 * "-j NAME" jumps to a chain or names a target extension.  Called
	 * only for -A/-I/-D/-R/-C with a -j/-g that is not ACCEPT, DROP or
	 * RETURN, and only once every other parameter check has passed
	 * (where iptables opens the table).  NULL: no chain exists.
	 */
	bool (*is_chain)(void *ctx, const char *name);
	void *ctx;
};

struct moat_command {
	unsigned int command;	/* CMD_* bits */
	const char *table;	/* -t, default "filter" */
	const char *chain;	/* NULL if none given */
	const char *newname;	/* -E */
	uint32_t policy;	/* -P: MOAT_VERDICT_ACCEPT or _DROP, or
				 * MOAT_VERDICT_UNSPEC for any other word
				 * (iptables: "Bad policy name", exit 1) */
	const char *policy_name;	/* -P's word as given */
	unsigned int rulenum;	/* -I (default 1), -D/-R/-L/-S/-Z n; 0: none */
	unsigned int opts;	/* OPT_* bits */
	unsigned int verbose;	/* how many -v */

	/*
	 * The rules of -A/-I/-D/-R/-C: one per source x destination address
	 * (-s a,b or a name resolving to several), source-major as iptables
	 * runs them; each -I inserts at the same rulenum, as iptables does.
	 */
	struct moat_rule **rules;
	size_t n_rules;

	bool counters_given;	/* -c: also on every rule, and for -P */
	uint64_t pkts, bytes;
	int wait;		/* -w seconds, -1 without a value; ignored */
};

/*
 * Parses @argv into @cmd (which it zeroes first); @env may be NULL.
 * Returns 0; exits on a parameter problem, as iptables does.
 * Strings in @cmd point into @argv.
 */
int moat_parse_command(int argc, char **argv, struct moat_command *cmd,
		       const struct moat_parse_env *env);

void moat_cmd_free(struct moat_command *cmd);

/* Parses "addr[/mask],..." as iptables -s does; exits if bad. */
void moat_parse_addresses(const char *spec, uint32_t **addrs,
			  uint32_t **masks, size_t *n);

/* One "addr[/mask]", as options like --ctorigsrc take it; exits if bad. */
void moat_parse_address_one(const char *spec, uint32_t *addr, uint32_t *mask);

/* The iptables protocol number of a -p word; exits if unknown. */
uint16_t moat_parse_protocol(const char *s);

/* command.c: iptables' letters of a CMD_* or OPT_* bit (for messages). */
char moat_cmd_char(unsigned int cmd);
char moat_opt_char(unsigned int opt);
/* The MOAT_INV_* bit a "!" before option @opt sets; 0 if none may. */
uint32_t moat_opt_inv(unsigned int opt);

/* -N's name checks, and -j's; each exits with iptables' message. */
void moat_check_new_chain(const char *name);
const char *moat_check_target_name(const char *name);

/* After the parse, in iptables' order: options the commands refuse... */
void moat_check_cmd_opts(unsigned int command, unsigned int opts);
/* ...and -i/-o on a chain that has no such interface. */
void moat_check_ifaces(const struct moat_command *cmd);

#endif
