// SPDX-License-Identifier: GPL-2.0
/* moat: the iptables-style command line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "conntrack.h"
#include "exec.h"
#include "info.h"
#include "nl.h"
#include "parse.h"
#include "prog.h"
#include "table.h"

static void usage(void)
{
	printf("%s\n\n"
	       "Usage: %s -[ACD] chain rule-specification [options]\n"
	       "       %s -I chain [rulenum] rule-specification [options]\n"
	       "       %s -R chain rulenum rule-specification [options]\n"
	       "       %s -D chain rulenum [options]\n"
	       "       %s -[LS] [chain [rulenum]] [options]\n"
	       "       %s -[FZ] [chain] [options]\n"
	       "       %s -[NX] chain\n"
	       "       %s -E old-chain-name new-chain-name\n"
	       "       %s -P chain target [options]\n"
	       "       %s -h (print this help information)\n\n"
	       "moat's own options:\n"
	       "  --info                  module version and this namespace's tables\n"
	       "  --debug                 dump netlink messages to stderr\n"
	       "  -M [-L] [-n], --conntrack\n"
	       "                          list this namespace's tracked connections\n"
	       "                          (conntrack -L's lines, [SNAT]/[DNAT] marked)\n\n"
	       "See moat(8) for commands, matches and targets; they are iptables'.\n",
	       moat_banner(), moat_self->name, moat_self->name, moat_self->name,
	       moat_self->name, moat_self->name, moat_self->name,
	       moat_self->name, moat_self->name, moat_self->name,
	       moat_self->name);
}

/* Turns a failure to reach the module into iptables-style words. */
static void nl_die(struct moat_nl *nl, int err)
{
	if (err == -EPERM || err == -EACCES)
		moat_die(MOAT_VERSION_PROBLEM,
			 "Permission denied (you must be root)");
	if (err == -ENOENT && !nl->family)
		moat_die(MOAT_VERSION_PROBLEM,
			 "the moat kernel module is not loaded "
			 "(do you need to insmod?)");
	if (nl->errmsg[0])
		moat_die(MOAT_OTHER_PROBLEM, "%s", nl->errmsg);
	moat_die(MOAT_OTHER_PROBLEM, "%s", strerror(-err));
}

static void nl_open_or_die(struct moat_nl *nl)
{
	int err;

	if (nl->sk)
		return;
	err = moat_nl_open(nl);
	if (err)
		nl_die(nl, err);
}

static int show_info(struct moat_nl *nl)
{
	struct moat_info info;
	int err;

	nl_open_or_die(nl);
	err = moat_info_get(nl, &info);
	if (err)
		nl_die(nl, err);
	moat_info_print(&info);
	return 0;
}

struct cli_ctx {
	struct moat_nl *nl;
	struct moat_command *cmd;
};

/* The parser asks while deciding what "-j NAME" means. */
static bool is_chain(void *data, const char *name)
{
	struct cli_ctx *ctx = data;
	int ret;

	nl_open_or_die(ctx->nl);
	ret = moat_chain_exists(ctx->nl, ctx->cmd->table, name);
	if (ret == -ENXIO)
		moat_die_no_table(ctx->cmd->table);
	if (ret < 0)
		nl_die(ctx->nl, ret);
	return ret;
}

/* Takes moat's own options out of @argv; returns the new argc. */
static int own_options(int argc, char **argv, bool *info, int *debug)
{
	int i, n = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--info"))
			*info = true;
		else if (!strcmp(argv[i], "--debug"))
			*debug = 1;
		else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return n;
}

int moat_cli_main(int argc, char **argv)
{
	struct moat_nl nl = { 0 };
	struct moat_command cmd;
	struct cli_ctx ctx = { &nl, &cmd };
	struct moat_parse_env env = { is_chain, &ctx };
	bool info = false;
	int rc;

	/* -M is iptables' --modprobe: moat's conntrack only under its name. */
	if (!moat_self->iptables && argc > 1 &&
	    (!strcmp(argv[1], "-M") || !strcmp(argv[1], "--conntrack")))
		return moat_conntrack_main(argc, argv);
	argc = own_options(argc, argv, &info, &nl.debug);
	if (info && argc == 1)
		return show_info(&nl);
	moat_parse_command(argc, argv, &cmd, &env);
	if (cmd.command & CMD_HELP) {
		usage();
		rc = 0;
	} else if (cmd.command & CMD_VERSION) {
		printf("%s\n", moat_banner());
		rc = 0;
	} else {
		nl_open_or_die(&nl);
		rc = moat_exec(&nl, &cmd);
	}
	moat_nl_close(&nl);
	moat_cmd_free(&cmd);
	return rc;
}
