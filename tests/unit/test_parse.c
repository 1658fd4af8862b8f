// SPDX-License-Identifier: GPL-2.0
/*
 * The command-line parser: what it makes of good command lines, and every
 * parameter problem worded and exited as iptables-legacy does (golden
 * errors.out, from tests/unit/golden/regen).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "helpers.h"
#include "parse.h"
#include "prog.h"
#include "suites.h"

static struct moat_command cmd;
static char **words;
static int nwords;

static void parse(const char *line)
{
	nwords = split_words(line, &words);
	moat_parse_command(nwords, words, &cmd, &test_env);
}

static void teardown(void)
{
	moat_cmd_free(&cmd);
	free_words(nwords, words);
	words = NULL;
	nwords = 0;
}

START_TEST(test_append_fields)
{
	struct moat_rule *r;

	parse("-A INPUT ! -s 192.0.2.0/24 -d 10.1.2.3/8 ! -i eth+ -p TCP "
	      "! --dport 22 -f -j ACCEPT -c 5 6");
	ck_assert_uint_eq(cmd.command, CMD_APPEND);
	ck_assert_str_eq(cmd.chain, "INPUT");
	ck_assert_str_eq(cmd.table, "filter");
	ck_assert_uint_eq(cmd.n_rules, 1);
	r = cmd.rules[0];
	ck_assert_uint_eq(r->src, inet_addr("192.0.2.0"));
	ck_assert_uint_eq(r->src_mask, inet_addr("255.255.255.0"));
	ck_assert_uint_eq(r->dst, inet_addr("10.0.0.0"));
	ck_assert_uint_eq(r->dst_mask, inet_addr("255.0.0.0"));
	ck_assert_str_eq(r->iif, "eth+");
	ck_assert_str_eq(r->oif, "");
	ck_assert_uint_eq(r->proto, 6);
	ck_assert_uint_eq(r->flags, MOAT_RULE_F_FRAG);
	ck_assert_uint_eq(r->inv, MOAT_INV_SRC | MOAT_INV_IIF);
	ck_assert_uint_eq(r->n_matches, 1);
	ck_assert_str_eq(r->matches[0].name, "tcp");
	ck_assert_int_eq(r->target, MOAT_TARGET_VERDICT);
	ck_assert_uint_eq(r->verdict, MOAT_VERDICT_ACCEPT);
	ck_assert(r->has_counters);
	ck_assert_uint_eq(r->packets, 5);
	ck_assert_uint_eq(r->bytes, 6);
	ck_assert_uint_eq(cmd.opts, OPT_SOURCE | OPT_DESTINATION | OPT_IN |
			  OPT_PROTOCOL | OPT_FRAGMENT | OPT_JUMP |
			  OPT_COUNTERS);
}
END_TEST

START_TEST(test_expansion_order)
{
	parse("-I INPUT 3 -s 192.0.2.1,192.0.2.2 -d 198.51.100.1,localhost "
	      "-g uc");
	ck_assert_uint_eq(cmd.command, CMD_INSERT);
	ck_assert_uint_eq(cmd.rulenum, 3);
	ck_assert_uint_eq(cmd.n_rules, 4);
	ck_assert_uint_eq(cmd.rules[1]->src, inet_addr("192.0.2.1"));
	ck_assert_uint_eq(cmd.rules[1]->dst, inet_addr("127.0.0.1"));
	ck_assert_uint_eq(cmd.rules[2]->src, inet_addr("192.0.2.2"));
	ck_assert_uint_eq(cmd.rules[2]->dst, inet_addr("198.51.100.1"));
	ck_assert_int_eq(cmd.rules[3]->target, MOAT_TARGET_GOTO);
	ck_assert_str_eq(cmd.rules[3]->chain, "uc");
	ck_assert(!cmd.rules[0]->has_counters);
}
END_TEST

START_TEST(test_matches_in_order)
{
	parse("-A INPUT -p tcp -m udp --dport 1 -m tcp --sport 2 --dport 3 "
	      "-m icmp --icmp-type 8 --syn -j uc");
	ck_assert_uint_eq(cmd.rules[0]->n_matches, 3);
	ck_assert_str_eq(cmd.rules[0]->matches[0].name, "udp");
	ck_assert_str_eq(cmd.rules[0]->matches[1].name, "tcp");
	ck_assert_str_eq(cmd.rules[0]->matches[2].name, "icmp");
	ck_assert_int_eq(cmd.rules[0]->target, MOAT_TARGET_JUMP);
	ck_assert_str_eq(cmd.rules[0]->chain, "uc");
}
END_TEST

START_TEST(test_non_rule_commands)
{
	parse("-L INPUT 2 -Z -n -v -v -x --line-numbers -w -t nat");
	ck_assert_uint_eq(cmd.command, CMD_LIST | CMD_ZERO);
	ck_assert_str_eq(cmd.chain, "INPUT");
	ck_assert_uint_eq(cmd.rulenum, 2);
	ck_assert_uint_eq(cmd.verbose, 2);
	ck_assert_uint_eq(cmd.opts, OPT_NUMERIC | OPT_VERBOSE | OPT_EXACT |
			  OPT_LINE_NUMBERS);
	ck_assert_int_eq(cmd.wait, -1);
	ck_assert_str_eq(cmd.table, "nat");
	ck_assert_uint_eq(cmd.n_rules, 0);
	teardown();

	parse("-P FORWARD RETURN -c 1 2");
	ck_assert_uint_eq(cmd.command, CMD_SET_POLICY);
	ck_assert_uint_eq(cmd.policy, MOAT_VERDICT_UNSPEC);
	ck_assert_str_eq(cmd.policy_name, "RETURN");
	ck_assert(cmd.counters_given);
	ck_assert_uint_eq(cmd.bytes, 2);
	teardown();

	parse("-P FORWARD DROP");
	ck_assert_uint_eq(cmd.policy, MOAT_VERDICT_DROP);
	teardown();

	parse("-E old new");
	ck_assert_uint_eq(cmd.command, CMD_RENAME_CHAIN);
	ck_assert_str_eq(cmd.newname, "new");
	teardown();

	parse("-D INPUT 4");
	ck_assert_uint_eq(cmd.command, CMD_DELETE_NUM);
	ck_assert_uint_eq(cmd.rulenum, 4);
	teardown();

	parse("-Z INPUT 4 -S");
	ck_assert_uint_eq(cmd.command, CMD_ZERO_NUM | CMD_LIST_RULES);
	teardown();

	parse("-X");
	ck_assert_uint_eq(cmd.command, CMD_DELETE_CHAIN);
	ck_assert_ptr_null(cmd.chain);
	teardown();

	parse("-F --ipv4");
	ck_assert_uint_eq(cmd.command, CMD_FLUSH);
}
END_TEST

START_TEST(test_help_and_version_stop_parsing)
{
	parse("-A INPUT -h --bogus");
	ck_assert_uint_eq(cmd.command, CMD_HELP);
	teardown();
	parse("--vers -Q");
	ck_assert_uint_eq(cmd.command, CMD_VERSION);
}
END_TEST

START_TEST(test_exit_status)
{
	/* The harness itself: a good line exits 0 silently. */
	int status;
	char *err = parse_in_child("-A INPUT", &status);

	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(err, "");
	free(err);
}
END_TEST

/* iptables' banner in the golden output becomes ours. */
static char *expect_ours(const char *golden)
{
	static const char theirs[] = "iptables v1.8.9 (legacy)";
	const char *ours = "iptables v1.8.9 (moat " MOAT_VERSION ")";
	char *out = malloc(strlen(golden) * 2 + 1), *o = out;
	const char *p;

	for (p = golden; *p;) {
		if (strncmp(p, theirs, sizeof(theirs) - 1) == 0) {
			o = stpcpy(o, ours);
			p += sizeof(theirs) - 1;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

/* Checks one "### line" section; returns where the next one starts. */
static char *check_error_case(char *sect, int *failed)
{
	char *line = sect + 4, *body, *rc, *next, *want, *got;
	int status, want_status;

	body = strchr(line, '\n');
	*body++ = '\0';
	rc = strstr(body, "rc=");
	ck_assert_msg(rc && (rc == body || rc[-1] == '\n'), "bad golden");
	want_status = atoi(rc + 3);
	next = strchr(rc, '\n');
	next = next ? next + 1 : rc + strlen(rc);
	*rc = '\0';
	want = expect_ours(body);
	got = parse_in_child(line, &status);
	if (strcmp(got, want) != 0 || status != want_status) {
		fprintf(stderr, "iptables %s\n--- want (rc=%d)\n%s--- got (rc=%d)\n%s",
			line, want_status, want, status, got);
		(*failed)++;
	}
	free(want);
	free(got);
	return next;
}

START_TEST(test_errors_golden)
{
	char *golden = read_file(golden_path("errors.out"));
	char *p;
	int n = 0, failed = 0;

	ck_assert_msg(golden, "no %s", golden_path("errors.out"));
	for (p = golden; *p; n++)
		p = check_error_case(p, &failed);
	ck_assert_int_gt(n, 150);
	ck_assert_msg(failed == 0, "%d of %d error cases differ (on stderr)",
		      failed, n);
	free(golden);
}
END_TEST

Suite *parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("fields");
	TCase *errs = tcase_create("errors");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_append_fields);
	tcase_add_test(tc, test_expansion_order);
	tcase_add_test(tc, test_matches_in_order);
	tcase_add_test(tc, test_non_rule_commands);
	tcase_add_test(tc, test_help_and_version_stop_parsing);
	tcase_add_test(tc, test_exit_status);
	suite_add_tcase(s, tc);
	tcase_set_timeout(errs, 300);
	tcase_add_test(errs, test_errors_golden);
	suite_add_tcase(s, errs);
	return s;
}
