// SPDX-License-Identifier: GPL-2.0
/* moat: the iptables-style command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "info.h"
#include "nl.h"
#include "prog.h"

enum { OPT_INFO = 256, OPT_DEBUG };

static const struct option long_opts[] = {
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ "info", no_argument, NULL, OPT_INFO },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ NULL, 0, NULL, 0 },
};

static void usage(void)
{
	printf("%s\n\n"
	       "Usage: %s -[ACD] chain rule-specification [options]\n"
	       "       %s --info                 module version and tables\n"
	       "       %s -h                     this help\n"
	       "       %s -V                     version\n\n"
	       "Options:\n"
	       "  --debug                 dump netlink messages to stderr\n",
	       moat_banner(), moat_self->name, moat_self->name,
	       moat_self->name, moat_self->name);
}

/* Turns a failed talk with the module into iptables-style words. */
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

static int show_info(int debug)
{
	struct moat_nl nl = { .debug = debug };
	struct moat_info info;
	int err;

	err = moat_nl_open(&nl);
	if (!err)
		err = moat_info_get(&nl, &info);
	if (err)
		nl_die(&nl, err);
	moat_nl_close(&nl);
	moat_info_print(&info);
	return 0;
}

int moat_cli_main(int argc, char **argv)
{
	int info = 0, debug = 0;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":Vh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'V':
			printf("%s\n", moat_banner());
			return 0;
		case 'h':
			usage();
			return 0;
		case OPT_INFO:
			info = 1;
			break;
		case OPT_DEBUG:
			debug = 1;
			break;
		default:
			moat_param_die("unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind < argc)
		moat_param_die("Bad argument `%s'", argv[optind]);
	if (!info)
		moat_param_die("no command specified");
	return show_info(debug);
}
