/* SPDX-License-Identifier: GPL-2.0 */
/* moat: runs a parsed iptables command against the module. */
#ifndef MOAT_EXEC_H
#define MOAT_EXEC_H

#include "nl.h"
#include "parse.h"

/* Runs @cmd; returns the exit status, printing any error as iptables. */
int moat_exec(struct moat_nl *nl, const struct moat_command *cmd);

/* iptables' words for a failed @command (CMD_* bit) with @err (-errno). */
const char *moat_cmd_strerror(unsigned int command, int err);

/* iptables' words for a table the module does not have; exits 3. */
void moat_die_no_table(const char *table) __attribute__((noreturn));

/* MOAT_A_TABLE_NAME and, if not NULL, MOAT_A_CHAIN_NAME. */
void moat_put_table_chain(struct nlmsghdr *nlh, const char *table,
			  const char *chain);
void moat_put_counters(struct nlmsghdr *nlh, int type, uint64_t pkts,
		       uint64_t bytes);
/* The request for -A/-I/-D/-R/-C, and the position it carries (0: none). */
uint8_t moat_rule_cmd_op(const struct moat_command *c, unsigned int *pos);

/* iptables' exit status for a kernel error -errno. */
int moat_err_status(int err);

#endif
