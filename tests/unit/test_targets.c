// SPDX-License-Identifier: GPL-2.0
/*
 * The REJECT and LOG targets: what the parser makes of their options, the
 * MOAT_A_TARGET_* form they travel in (equal specs give equal bytes, as
 * the kernel's -D/-C compare bytes), and a round trip through decode.
 * Their -L/-S output and messages are in the golden files (targets.cmds,
 * errors.cmds).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ext.h"
#include "helpers.h"
#include "parse.h"
#include "print.h"
#include "rule.h"
#include "suites.h"

static char buf[4096];

static struct moat_rule *parse_rule(const char *line)
{
	struct moat_command cmd;
	struct moat_rule *r;
	char **argv;
	int argc = split_words(line, &argv);

	moat_parse_command(argc, argv, &cmd, &test_env);
	ck_assert_uint_eq(cmd.n_rules, 1);
	r = cmd.rules[0];
	cmd.n_rules = 0;
	moat_cmd_free(&cmd);
	free_words(argc, argv);
	return r;
}

/* The MOAT_A_RULE_TARGET nest of @r's encoding, in buf. */
static const struct nlattr *encode_target(const struct moat_rule *r)
{
	struct nlmsghdr *nlh;
	const struct nlattr *a;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	ck_assert_int_eq(moat_rule_encode(nlh, sizeof(buf), r), 0);
	mnl_attr_for_each_nested(a, (struct nlattr *)mnl_nlmsg_get_payload(nlh))
		if (mnl_attr_get_type(a) == MOAT_A_RULE_TARGET)
			return a;
	ck_abort_msg("no target attribute");
	return NULL;
}

/* The attribute @type inside @nest's MOAT_A_TARGET_DATA. */
static const struct nlattr *data_attr(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a, *d;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != MOAT_A_TARGET_DATA)
			continue;
		mnl_attr_for_each_nested(d, a)
			if (mnl_attr_get_type(d) == type)
				return d;
	}
	return NULL;
}

static const char *target_name(const struct nlattr *nest)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == MOAT_A_TARGET_NAME)
			return mnl_attr_get_str(a);
	return NULL;
}

static uint8_t reject_with(const char *line)
{
	struct moat_rule *r = parse_rule(line);
	const struct nlattr *t = encode_target(r);
	const struct nlattr *a = data_attr(t, MOAT_A_REJECT_WITH);

	ck_assert_int_eq(r->target, MOAT_TARGET_EXT);
	ck_assert_ptr_eq(r->text, &moat_ext_reject);
	ck_assert_str_eq(target_name(t), "REJECT");
	ck_assert_ptr_nonnull(a);
	moat_rule_free(r);
	return mnl_attr_get_u8(a);
}

START_TEST(test_reject_with)
{
	ck_assert_uint_eq(reject_with("-A INPUT -j REJECT"),
			  MOAT_REJECT_ICMP_PORT_UNREACHABLE);
	ck_assert_uint_eq(reject_with("-A INPUT -j REJECT --reject-with net-unreach"),
			  MOAT_REJECT_ICMP_NET_UNREACHABLE);
	ck_assert_uint_eq(reject_with("-A INPUT -j REJECT --reject-with icmp-host-unreachable"),
			  MOAT_REJECT_ICMP_HOST_UNREACHABLE);
	ck_assert_uint_eq(reject_with("-A INPUT -j REJECT --reject-with proto-unreach"),
			  MOAT_REJECT_ICMP_PROT_UNREACHABLE);
	ck_assert_uint_eq(reject_with("-A INPUT -j REJECT --reject-with Net-Prohib"),
			  MOAT_REJECT_ICMP_NET_PROHIBITED);
	ck_assert_uint_eq(reject_with("-A INPUT -j REJECT --reject-with icmp-host-p"),
			  MOAT_REJECT_ICMP_HOST_PROHIBITED);
	ck_assert_uint_eq(reject_with("-A INPUT -j REJECT --reject-with admin-prohib"),
			  MOAT_REJECT_ICMP_ADMIN_PROHIBITED);
	ck_assert_uint_eq(reject_with("-A INPUT -p tcp -j REJECT --reject-with tcp-rst"),
			  MOAT_REJECT_TCP_RESET);
	/* iptables takes "" as an abbreviation of the first name. */
	ck_assert_uint_eq(reject_with("-A INPUT -j REJECT --reject-with ''"),
			  MOAT_REJECT_ICMP_NET_UNREACHABLE);
}
END_TEST

START_TEST(test_log_fields)
{
	struct moat_rule *r = parse_rule("-A INPUT -j LOG --log-uid --log-prefix 'a \"b' "
					 "--log-level debug --log-tcp-seq --log-macdecode");
	const struct nlattr *t = encode_target(r);

	ck_assert_ptr_eq(r->text, &moat_ext_log);
	ck_assert_str_eq(target_name(t), "LOG");
	ck_assert_str_eq(mnl_attr_get_str(data_attr(t, MOAT_A_LOG_PREFIX)), "a \"b");
	ck_assert_uint_eq(mnl_attr_get_u8(data_attr(t, MOAT_A_LOG_LEVEL)), 7);
	ck_assert_uint_eq(mnl_attr_get_u8(data_attr(t, MOAT_A_LOG_FLAGS)),
			  MOAT_LOG_UID | MOAT_LOG_TCPSEQ | MOAT_LOG_MACDECODE);
	moat_rule_free(r);

	r = parse_rule("-A INPUT -j LOG");
	t = encode_target(r);
	ck_assert_str_eq(mnl_attr_get_str(data_attr(t, MOAT_A_LOG_PREFIX)), "");
	ck_assert_uint_eq(mnl_attr_get_u8(data_attr(t, MOAT_A_LOG_LEVEL)), 4);
	ck_assert_uint_eq(mnl_attr_get_u8(data_attr(t, MOAT_A_LOG_FLAGS)), 0);
	moat_rule_free(r);
}
END_TEST

/* A prefix longer than the kernel keeps is cut, as iptables cuts it. */
START_TEST(test_log_prefix_cut)
{
	struct moat_rule *r = parse_rule("-A INPUT -j LOG --log-prefix "
					 "123456789012345678901234567890abc");
	const struct nlattr *t = encode_target(r);

	ck_assert_str_eq(mnl_attr_get_str(data_attr(t, MOAT_A_LOG_PREFIX)),
			 "12345678901234567890123456789");
	moat_rule_free(r);
}
END_TEST

/* The kernel finds a rule for -D/-C by comparing bytes. */
static void expect_same_bytes(const char *a, const char *b)
{
	struct moat_rule *ra = parse_rule(a), *rb = parse_rule(b);
	const struct nlattr *t = encode_target(ra);
	size_t len = mnl_attr_get_len(t);
	char copy[sizeof(buf)];

	memcpy(copy, t, len);
	t = encode_target(rb);
	ck_assert_uint_eq(mnl_attr_get_len(t), len);
	ck_assert_msg(memcmp(copy, t, len) == 0, "%s / %s encode differently", a, b);
	moat_rule_free(ra);
	moat_rule_free(rb);
}

START_TEST(test_equal_specs_equal_bytes)
{
	expect_same_bytes("-A INPUT -j REJECT",
			  "-A INPUT -j REJECT --reject-with port-unreach");
	expect_same_bytes("-A INPUT -j LOG --log-prefix x --log-level 4",
			  "-A INPUT -j LOG --log-level warning --log-prefix x");
	expect_same_bytes("-A INPUT -j LOG --log-uid --log-ip-options",
			  "-A INPUT -j LOG --log-ip-options --log-uid");
}
END_TEST

static const char *const specs[] = {
	"-A X -j REJECT",
	"-A X -p tcp --dport 22 -j REJECT --reject-with tcp-reset -c 1 2",
	"-A X -s 10.0.0.0/8 -j REJECT --reject-with icmp-admin-prohibited",
	"-A X -j LOG",
	"-A X -p udp -j LOG --log-prefix \"it's \\\"x\\\"\" --log-level 0 --log-tcp-options --log-ip-options",
	"-A X -j LOG --log-level 7 --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-macdecode",
};

START_TEST(test_roundtrip)
{
	struct moat_rule *r = parse_rule(specs[_i]), *back;
	struct nlmsghdr *nlh;
	char *a = NULL, *b = NULL;
	size_t la, lb;
	FILE *f;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	ck_assert_int_eq(moat_rule_encode(nlh, sizeof(buf), r), 0);
	ck_assert_int_eq(moat_rule_decode(mnl_nlmsg_get_payload(nlh), &back), 0);
	f = open_memstream(&a, &la);
	moat_print_rule_save(f, "X", r, false);
	fclose(f);
	f = open_memstream(&b, &lb);
	moat_print_rule_save(f, "X", back, false);
	fclose(f);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	moat_rule_free(r);
	moat_rule_free(back);
}
END_TEST

/* A target from a newer kernel lists by name but is never sent back. */
START_TEST(test_unknown_target)
{
	struct nlmsghdr *nlh;
	struct nlattr *rule, *t, *d;
	struct moat_rule *r;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	rule = mnl_attr_nest_start(nlh, MOAT_A_RULE);
	t = mnl_attr_nest_start(nlh, MOAT_A_RULE_TARGET);
	mnl_attr_put_strz(nlh, MOAT_A_TARGET_NAME, "FUTURE");
	d = mnl_attr_nest_start(nlh, MOAT_A_TARGET_DATA);
	mnl_attr_put_u32(nlh, 1, 5);
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, t);
	mnl_attr_nest_end(nlh, rule);
	ck_assert_int_eq(moat_rule_decode(rule, &r), 0);
	ck_assert_int_eq(r->target, MOAT_TARGET_EXT);
	ck_assert_ptr_null(r->text);
	ck_assert_str_eq(moat_rule_target_name(r), "FUTURE");
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	ck_assert_int_eq(moat_rule_encode(nlh, sizeof(buf), r), -EOPNOTSUPP);
	moat_rule_free(r);
}
END_TEST

/* A line the golden files cannot hold: a newline inside the prefix. */
START_TEST(test_log_prefix_newline)
{
	int status;
	char *err = parse_in_child("-A INPUT -j LOG --log-prefix 'a\nb'", &status);

	ck_assert_int_eq(status, 2);
	ck_assert_str_eq(err, "iptables v1.8.9 (moat " MOAT_VERSION "): "
			 "Newlines not allowed in --log-prefix\n"
			 "Try `iptables -h' or 'iptables --help' for more information.\n");
	free(err);
}
END_TEST

Suite *targets_suite(void)
{
	Suite *s = suite_create("targets");
	TCase *tc = tcase_create("reject_log");

	tcase_add_test(tc, test_reject_with);
	tcase_add_test(tc, test_log_fields);
	tcase_add_test(tc, test_log_prefix_cut);
	tcase_add_test(tc, test_equal_specs_equal_bytes);
	tcase_add_loop_test(tc, test_roundtrip, 0, sizeof(specs) / sizeof(specs[0]));
	tcase_add_test(tc, test_unknown_target);
	tcase_add_test(tc, test_log_prefix_newline);
	suite_add_tcase(s, tc);
	return s;
}
