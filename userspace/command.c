// SPDX-License-Identifier: GPL-2.0
/*
 * moat: what each command of the iptables command line accepts, and the
 * names a chain or a target may have, with iptables 1.8.9's tables and
 * messages.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "parse.h"
#include "prog.h"

/* Option letters by OPT_* bit, and the MOAT_INV_* each can carry. */
static const char opt_chars[] = "nsdpjvxio0cf";
static const uint32_t opt_inv[] = {
	0, MOAT_INV_SRC, MOAT_INV_DST, MOAT_INV_PROTO, 0, 0, 0,
	MOAT_INV_IIF, MOAT_INV_OIF, 0, 0, MOAT_INV_FRAG,
};
#define N_OPTS 12

/* Command letters by CMD_* bit. */
static const char cmd_chars[] = "IDDRALFZNXPESZC";
#define N_CMDS 15

/*
 * Which options each command takes: 'x' is illegal.  An option is legal
 * if any of the commands given allows it (-L -Z).
 *                                -n  -s  -d  -p  -j  -v  -x  -i  -o -0 -c -f */
static const char cmd_opts[N_CMDS][N_OPTS + 1] = {
	/* INSERT */		"x     x  x  ",
	/* DELETE */		"x     x  xx ",
	/* DELETE_NUM */	"xxxxx xxxxxx",
	/* REPLACE */		"x     x  x  ",
	/* APPEND */		"x     x  x  ",
	/* LIST */		" xxxx  xx xx",
	/* FLUSH */		"xxxxx xxxxxx",
	/* ZERO */		"xxxxx xxxxxx",
	/* NEW_CHAIN */		"xxxxx xxxxxx",
	/* DEL_CHAIN */		"xxxxx xxxxxx",
	/* SET_POLICY */	"xxxxx xxxx x",
	/* RENAME */		"xxxxx xxxxxx",
	/* LIST_RULES */	"xxxxx xxxxxx",
	/* ZERO_NUM */		"xxxxx xxxxxx",
	/* CHECK */		"x     x  xx ",
};

/*
 * Targets iptables finds on a stock system, so no chain may have their
 * names; "" is the standard target's own name.
 */
static const char *const target_names[] = {
	"", "ACCEPT", "DROP", "QUEUE", "RETURN", "standard",
	"AUDIT", "CHECKSUM", "CLASSIFY", "CLUSTERIP", "CONNMARK", "CONNSECMARK",
	"CT", "DNAT", "DSCP", "ECN", "HMARK", "IDLETIMER", "LED", "LOG", "MARK",
	"MASQUERADE", "NETMAP", "NFLOG", "NFQUEUE", "NOTRACK", "RATEEST",
	"REDIRECT", "REJECT", "SECMARK", "SET", "SNAT", "SYNPROXY", "TCPMSS",
	"TCPOPTSTRIP", "TEE", "TOS", "TPROXY", "TRACE", "TTL", "ULOG",
};

static int bit_index(unsigned int bit)
{
	int i = 0;

	while (bit > 1) {
		bit >>= 1;
		i++;
	}
	return i;
}

char moat_cmd_char(unsigned int cmd)
{
	return cmd_chars[bit_index(cmd)];
}

char moat_opt_char(unsigned int opt)
{
	return opt_chars[bit_index(opt)];
}

uint32_t moat_opt_inv(unsigned int opt)
{
	return opt_inv[bit_index(opt)];
}

static bool is_target_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(target_names) / sizeof(target_names[0]); i++)
		if (strcmp(target_names[i], name) == 0)
			return true;
	return false;
}

/* -N's checks, made before the command is even recorded. */
void moat_check_new_chain(const char *name)
{
	const char *c;

	if (strlen(name) >= MOAT_XT_NAME_LEN)
		moat_param_die("chain name `%s' too long (must be under %u chars)",
			       name, MOAT_XT_NAME_LEN);
	if (*name == '-' || *name == '!')
		moat_param_die("chain name not allowed to start with `%c'",
			       *name);
	if (is_target_name(name))
		moat_param_die("chain name may not clash with target name");
	for (c = name; *c; c++)
		if (isspace((unsigned char)*c))
			moat_param_die("Invalid chain name `%s'", name);
}

const char *moat_check_target_name(const char *name)
{
	const char *c;

	if (!*name)
		moat_param_die("Invalid target name (too short)");
	if (strlen(name) >= MOAT_XT_NAME_LEN)
		moat_param_die("Invalid target name `%s' (%u chars max)", name,
			       MOAT_XT_NAME_LEN - 1);
	for (c = name; *c; c++)
		if (isspace((unsigned char)*c))
			moat_param_die("Invalid target name `%s'", name);
	return name;
}

/* An option is legal if any of the commands given allows it. */
void moat_check_cmd_opts(unsigned int command, unsigned int opts)
{
	int i, j, legal;

	for (i = 0; i < N_OPTS; i++) {
		if (!(opts & (1u << i)))
			continue;
		legal = 0;
		for (j = 0; j < N_CMDS; j++) {
			if (!(command & (1u << j)))
				continue;
			if (cmd_opts[j][i] != 'x')
				legal = 1;
			else if (legal == 0)
				legal = -1;
		}
		if (legal == -1)
			moat_param_die("Illegal option `-%c' with this command",
				       opt_chars[i]);
	}
}

void moat_check_ifaces(const struct moat_command *cmd)
{
	const char *c = cmd->chain;

	if (!(cmd->command & CMD_RULE_MASK))
		return;
	if ((strcmp(c, "PREROUTING") == 0 || strcmp(c, "INPUT") == 0) &&
	    (cmd->opts & OPT_OUT))
		moat_param_die("Can't use -o with %s\n", c);
	if ((strcmp(c, "POSTROUTING") == 0 || strcmp(c, "OUTPUT") == 0) &&
	    (cmd->opts & OPT_IN))
		moat_param_die("Can't use -i with %s\n", c);
}
