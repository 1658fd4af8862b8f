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

#endif
