// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the iptables command line, as moat_parse_command reads
 * it, with a fake chain set and no netlink.  The input is one command line
 * (blanks separate words, double quotes group; a first word "moat" or
 * "iptables" picks the program, iptables by default).
 *
 * Beyond not crashing (ASan, UBSan): a parameter problem exits with a
 * message; every rule parsed must encode as the module's policies want
 * it, decode back, and print the same -S line before and after; and the
 * command then runs against the fake module of fake_kernel.c, which
 * refuses the request the input's length picks (length % 4: the first,
 * second or third; 0: none), where a command of several rules (-s a,b)
 * must change the table in one transaction, all or nothing.
 *
 * With FUZZ_DUMP_SEEDS=DIR it also writes each input's rules to DIR as a
 * table dump would bring them back (a built-in chain, a user chain, the
 * rules): seeds for fuzz_dump.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include "fuzz.h"
#include "parse.h"
#include "print.h"
#include "exec.h"
#include "nl.h"

#define MAX_WORDS 256

/* The chains "the kernel" has: -j NAME jumps to these. */
static bool is_chain(void *ctx, const char *name)
{
	static const char *const chains[] = {
		"INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING",
		"uc", "web", "LOGDROP", "a", NULL,
	};
	int i;

	(void)ctx;
	for (i = 0; chains[i]; i++)
		if (!strcmp(chains[i], name))
			return true;
	return false;
}

static char *save_line(const char *chain, const struct moat_rule *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		fuzz_fail("open_memstream: %m");
	moat_print_rule_save(f, chain, r, true);
	fclose(f);
	return buf;
}

/* Encode, check as the module would, decode, and compare the -S lines. */
static void round_trip(const char *chain, const struct moat_rule *r)
{
	static char buf[MOAT_NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct moat_rule *back;
	struct nlattr *nest;
	char *want, *got;
	int err;

	mnl_nlmsg_put_extra_header(nlh, 4);
	if (moat_rule_encode(nlh, sizeof(buf), r))
		return;		/* too big for one message: the tool says so */
	nest = (struct nlattr *)((char *)mnl_nlmsg_get_payload(nlh) + 4);
	fake_check_rule(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest));
	err = moat_rule_decode(nest, &back);
	if (err)
		fuzz_fail("a rule the tool encoded does not decode: %d", err);
	want = save_line(chain, r);
	got = save_line(chain, back);
	if (strcmp(want, got))
		fuzz_fail("encode and decode change the rule:\n  %s  %s", want, got);
	free(want);
	free(got);
	moat_rule_free(back);
}

/* One dump message: GENL header, the chain's name, then @r or a chain's. */
static void dump_msg(FILE *f, const char *chain, const struct moat_rule *r)
{
	static char buf[MOAT_NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	struct nlattr *nest;

	nlh->nlmsg_type = 0x42;
	nlh->nlmsg_flags = NLM_F_MULTI;
	g->cmd = MOAT_CMD_GET_TABLE;
	g->version = MOAT_GENL_VERSION;
	mnl_attr_put_strz(nlh, MOAT_A_CHAIN_NAME, chain);
	if (r) {
		if (moat_rule_encode(nlh, sizeof(buf), r))
			return;
	} else if (strcmp(chain, "uc")) {
		mnl_attr_put_u32(nlh, MOAT_A_CHAIN_HOOK, 1);
		mnl_attr_put_u32(nlh, MOAT_A_CHAIN_POLICY, MOAT_VERDICT_DROP);
		nest = mnl_attr_nest_start(nlh, MOAT_A_CHAIN_COUNTERS);
		mnl_attr_put_u64(nlh, MOAT_A_COUNTERS_PACKETS, 7);
		mnl_attr_put_u64(nlh, MOAT_A_COUNTERS_BYTES, 700);
		mnl_attr_nest_end(nlh, nest);
	} else {
		mnl_attr_put_u32(nlh, MOAT_A_CHAIN_REFS, 1);
	}
	fwrite(buf, 1, nlh->nlmsg_len, f);
}

static void dump_seed(const struct moat_command *cmd, const char *chain)
{
	const char *dir = getenv("FUZZ_DUMP_SEEDS");
	static unsigned int n;
	char path[4096];
	size_t i;
	FILE *f;

	if (!dir || !cmd->n_rules)
		return;
	snprintf(path, sizeof(path), "%s/%d-%u", dir, getpid(), n++);
	f = fopen(path, "w");
	if (!f)
		fuzz_fail("%s: %m", path);
	dump_msg(f, chain, NULL);
	if (strcmp(chain, "uc"))
		dump_msg(f, "uc", NULL);
	for (i = 0; i < cmd->n_rules; i++)
		dump_msg(f, chain, cmd->rules[i]);
	fclose(f);
}

/* The request that fails: see the top. */
static unsigned int fail_at;

static int parse_main(int argc, char **argv)
{
	static const struct moat_parse_env env = { is_chain, NULL };
	struct moat_nl nl = { 0 };
	struct moat_command cmd;
	unsigned int pos;
	size_t i;
	int rc;

	moat_parse_command(argc, argv, &cmd, &env);
	for (i = 0; i < cmd.n_rules; i++)
		round_trip(cmd.chain ? cmd.chain : "INPUT", cmd.rules[i]);
	dump_seed(&cmd, cmd.chain ? cmd.chain : "INPUT");
	fake_kernel_reset(fail_at, cmd.n_rules > 1 &&
			  moat_rule_cmd_op(&cmd, &pos) != MOAT_CMD_CHECK_RULE);
	rc = moat_nl_open(&nl);
	if (rc)
		fuzz_fail("the fake module does not open: %d", rc);
	rc = cmd.command & (CMD_HELP | CMD_VERSION) ? 0 : moat_exec(&nl, &cmd);
	moat_nl_close(&nl);
	moat_cmd_free(&cmd);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *argv[MAX_WORDS + 2];
	struct fuzz_main m = { parse_main, 0, argv };
	const char *err;
	int argc, status;

	argc = fuzz_split(data, size, argv + 1, MAX_WORDS) + 1;
	if (argc > 1 && (!strcmp(argv[1], "moat") || !strcmp(argv[1], "iptables"))) {
		argv[0] = argv[1];
		memmove(argv + 1, argv + 2, (argc - 1) * sizeof(*argv));
		argc--;
	} else {
		argv[0] = "iptables";
	}
	m.argc = argc;
	fail_at = size % 4;
	status = fuzz_run(fuzz_call_main, &m, argv[0], &err);
	if (status && !err[0])
		fuzz_fail("exit status %d without a message", status);
	if (status < 0 || status > 4)
		fuzz_fail("exit status %d: %s", status, err);
	return 0;
}
