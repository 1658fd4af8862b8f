// SPDX-License-Identifier: GPL-2.0
/*
 * A rule's MOAT_A_RULE form: encode -> decode gives back the same rule
 * (same bytes when encoded again, same -S line), counters only when set,
 * unknown attributes skipped, malformed input refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "parse.h"
#include "print.h"
#include "rule.h"
#include "suites.h"

static char buf[8192];

static struct nlmsghdr *new_msg(void)
{
	memset(buf, 0, sizeof(buf));
	return mnl_nlmsg_put_header(buf);
}

static struct nlattr *first_attr(struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload(nlh);
}

static char *save_line(const struct moat_rule *r)
{
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	moat_print_rule_save(f, "X", r, r->has_counters);
	fclose(f);
	return out;
}

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

static const char *const specs[] = {
	"-A X -p tcp --dport 22 -j ACCEPT",
	"-A X ! -s 192.0.2.0/24 -d 10.0.0.1 ! -i eth+ -o lo -p udp ! --sport 1:2 --dport 3 -f -j DROP -c 7 8",
	"-A X -p tcp ! --syn ! --tcp-option 4 --sport 9: -m tcp --tcp-flags ALL NONE -g uc",
	"-A X -p icmp ! --icmp-type 3/4 -m icmp --icmp-type any -m udp -j uc",
	"-A X ! -p 47 ! -f -j RETURN -c 18446744073709551615 0",
	"-A X",
};

START_TEST(test_roundtrip)
{
	struct moat_rule *r = parse_rule(specs[_i]), *back;
	struct nlmsghdr *nlh = new_msg();
	size_t len;
	char copy[sizeof(buf)], *a, *b;

	ck_assert_int_eq(moat_rule_encode(nlh, sizeof(buf), r), 0);
	len = nlh->nlmsg_len;
	memcpy(copy, buf, len);
	ck_assert_int_eq(moat_rule_decode(first_attr(nlh), &back), 0);
	a = save_line(r);
	b = save_line(back);
	ck_assert_str_eq(a, b);
	nlh = new_msg();
	ck_assert_int_eq(moat_rule_encode(nlh, sizeof(buf), back), 0);
	ck_assert_uint_eq(nlh->nlmsg_len, len);
	ck_assert(memcmp(copy, buf, len) == 0);
	free(a);
	free(b);
	moat_rule_free(r);
	moat_rule_free(back);
}
END_TEST

static bool has_attr(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return true;
	return false;
}

START_TEST(test_optional_parts)
{
	struct moat_rule *r = parse_rule("-A X -s 192.0.2.1");
	struct nlmsghdr *nlh = new_msg();

	ck_assert_int_eq(moat_rule_encode(nlh, sizeof(buf), r), 0);
	ck_assert(!has_attr(first_attr(nlh), MOAT_A_RULE_COUNTERS));
	ck_assert(!has_attr(first_attr(nlh), MOAT_A_RULE_TARGET));
	ck_assert(!has_attr(first_attr(nlh), MOAT_A_RULE_MATCHES));
	ck_assert(!has_attr(first_attr(nlh), MOAT_A_RULE_IIF));
	r->has_counters = true;
	nlh = new_msg();
	ck_assert_int_eq(moat_rule_encode(nlh, sizeof(buf), r), 0);
	ck_assert(has_attr(first_attr(nlh), MOAT_A_RULE_COUNTERS));
	moat_rule_free(r);
}
END_TEST

START_TEST(test_too_small)
{
	struct moat_rule *r = parse_rule(specs[1]);
	struct nlmsghdr *nlh = new_msg();

	ck_assert_int_eq(moat_rule_encode(nlh, 64, r), -EMSGSIZE);
	moat_rule_free(r);
}
END_TEST

/* A kernel newer than us may add attributes anywhere: they are skipped. */
START_TEST(test_unknown_attrs_skipped)
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *rule, *ms, *m, *d;
	struct moat_rule *r;
	char *line;

	rule = mnl_attr_nest_start(nlh, MOAT_A_RULE);
	mnl_attr_put_u32(nlh, 200, 1);
	mnl_attr_put_u16(nlh, MOAT_A_RULE_PROTO, 6);
	ms = mnl_attr_nest_start(nlh, MOAT_A_RULE_MATCHES);
	m = mnl_attr_nest_start(nlh, MOAT_A_MATCH);
	mnl_attr_put_u8(nlh, 99, 1);
	mnl_attr_put_strz(nlh, MOAT_A_MATCH_NAME, "tcp");
	d = mnl_attr_nest_start(nlh, MOAT_A_MATCH_DATA);
	mnl_attr_put_u16(nlh, MOAT_A_PORTS_DPORT_MIN, 22);
	mnl_attr_put_u16(nlh, MOAT_A_PORTS_DPORT_MAX, 22);
	mnl_attr_put_u64(nlh, 77, 5);
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, m);
	m = mnl_attr_nest_start(nlh, MOAT_A_MATCH);
	mnl_attr_put_strz(nlh, MOAT_A_MATCH_NAME, "future");
	mnl_attr_nest_end(nlh, m);
	mnl_attr_nest_end(nlh, ms);
	mnl_attr_nest_end(nlh, rule);
	ck_assert_int_eq(moat_rule_decode(rule, &r), 0);
	line = save_line(r);
	ck_assert_str_eq(line, "-A X -p tcp -m tcp --dport 22 -m future\n");
	/* ...but a rule we only half understand is not sent back. */
	nlh = new_msg();
	ck_assert_int_eq(moat_rule_encode(nlh, sizeof(buf), r), -EOPNOTSUPP);
	free(line);
	moat_rule_free(r);
}
END_TEST

static void expect_einval(void (*build)(struct nlmsghdr *nlh))
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *rule = mnl_attr_nest_start(nlh, MOAT_A_RULE);
	struct moat_rule *r = NULL;

	build(nlh);
	mnl_attr_nest_end(nlh, rule);
	ck_assert_int_eq(moat_rule_decode(rule, &r), -EINVAL);
	ck_assert_ptr_null(r);
}

static void short_src(struct nlmsghdr *nlh)
{
	mnl_attr_put_u16(nlh, MOAT_A_RULE_SRC, 1);
}

static void long_iface(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, MOAT_A_RULE_IIF, "abcdefghijklmnopq");
}

static void unterminated_iface(struct nlmsghdr *nlh)
{
	mnl_attr_put(nlh, MOAT_A_RULE_OIF, 3, "eth");
}

static void bad_verdict(struct nlmsghdr *nlh)
{
	struct nlattr *t = mnl_attr_nest_start(nlh, MOAT_A_RULE_TARGET);

	mnl_attr_put_u32(nlh, MOAT_A_TARGET_VERDICT, 99);
	mnl_attr_nest_end(nlh, t);
}

static void nameless_match(struct nlmsghdr *nlh)
{
	struct nlattr *ms = mnl_attr_nest_start(nlh, MOAT_A_RULE_MATCHES);
	struct nlattr *m = mnl_attr_nest_start(nlh, MOAT_A_MATCH);

	mnl_attr_nest_end(nlh, m);
	mnl_attr_nest_end(nlh, ms);
}

static void bad_port(struct nlmsghdr *nlh)
{
	struct nlattr *ms = mnl_attr_nest_start(nlh, MOAT_A_RULE_MATCHES);
	struct nlattr *m = mnl_attr_nest_start(nlh, MOAT_A_MATCH);
	struct nlattr *d;

	mnl_attr_put_strz(nlh, MOAT_A_MATCH_NAME, "udp");
	d = mnl_attr_nest_start(nlh, MOAT_A_MATCH_DATA);
	mnl_attr_put_u32(nlh, MOAT_A_PORTS_SPORT_MIN, 1);
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, m);
	mnl_attr_nest_end(nlh, ms);
}

/* multiport ports 1 and 2, @pflags their range flags. */
static void multiport(struct nlmsghdr *nlh, const uint8_t *pflags)
{
	static const uint16_t ports[] = { 1, 2 };
	struct nlattr *ms = mnl_attr_nest_start(nlh, MOAT_A_RULE_MATCHES);
	struct nlattr *m = mnl_attr_nest_start(nlh, MOAT_A_MATCH);
	struct nlattr *d;

	mnl_attr_put_strz(nlh, MOAT_A_MATCH_NAME, "multiport");
	d = mnl_attr_nest_start(nlh, MOAT_A_MATCH_DATA);
	mnl_attr_put_u8(nlh, MOAT_A_MULTIPORT_FLAGS, MOAT_MULTIPORT_DESTINATION);
	mnl_attr_put(nlh, MOAT_A_MULTIPORT_PORTS, sizeof(ports), ports);
	mnl_attr_put(nlh, MOAT_A_MULTIPORT_PFLAGS, 2, pflags);
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, m);
	mnl_attr_nest_end(nlh, ms);
}

/* Found by fuzz_dump: printing read the port after the last one. */
static void multiport_open_range(struct nlmsghdr *nlh)
{
	static const uint8_t pflags[] = { 0, 1 };

	multiport(nlh, pflags);
}

static void short_counters(struct nlmsghdr *nlh)
{
	struct nlattr *c = mnl_attr_nest_start(nlh, MOAT_A_RULE_COUNTERS);

	mnl_attr_put_u32(nlh, MOAT_A_COUNTERS_BYTES, 1);
	mnl_attr_nest_end(nlh, c);
}

static void (*const malformed[])(struct nlmsghdr *) = {
	short_src, long_iface, unterminated_iface, bad_verdict,
	nameless_match, bad_port, short_counters, multiport_open_range,
};

START_TEST(test_malformed)
{
	expect_einval(malformed[_i]);
}
END_TEST

/* An attribute claiming more bytes than its nest holds stops the walk. */
START_TEST(test_truncated_nest)
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *rule = mnl_attr_nest_start(nlh, MOAT_A_RULE);
	struct nlattr *src;
	struct moat_rule *r = NULL;

	mnl_attr_put_u32(nlh, MOAT_A_RULE_SRC, 1);
	mnl_attr_nest_end(nlh, rule);
	src = mnl_attr_get_payload(rule);
	src->nla_len = 200;
	ck_assert_int_eq(moat_rule_decode(rule, &r), 0);
	ck_assert_uint_eq(r->src, 0);
	moat_rule_free(r);
}
END_TEST

/* decode NLH's rule and return its -S line (the caller frees it). */
static char *decoded_line(struct nlmsghdr *nlh, struct nlattr *rule)
{
	struct moat_rule *r;
	char *line;

	mnl_attr_nest_end(nlh, rule);
	ck_assert_int_eq(moat_rule_decode(rule, &r), 0);
	line = save_line(r);
	moat_rule_free(r);
	return line;
}

/* The end of a range has a flag of its own that means nothing. */
START_TEST(test_multiport_range_end_flag)
{
	static const uint8_t pflags[] = { 1, 1 };
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *rule = mnl_attr_nest_start(nlh, MOAT_A_RULE);
	char *line;

	mnl_attr_put_u16(nlh, MOAT_A_RULE_PROTO, 6);
	multiport(nlh, pflags);
	line = decoded_line(nlh, rule);
	ck_assert_str_eq(line, "-A X -p tcp -m multiport --dports 1:2\n");
	free(line);
}
END_TEST

/*
 * Found by fuzz_dump: TCP flags past URG, which iptables cannot name, sent
 * the walk over the names past its end.  They print in hex.
 */
START_TEST(test_tcp_flags_unnamed)
{
	struct nlmsghdr *nlh = new_msg();
	struct nlattr *rule = mnl_attr_nest_start(nlh, MOAT_A_RULE);
	struct nlattr *ms, *m, *d;
	char *line;

	mnl_attr_put_u16(nlh, MOAT_A_RULE_PROTO, 6);
	ms = mnl_attr_nest_start(nlh, MOAT_A_RULE_MATCHES);
	m = mnl_attr_nest_start(nlh, MOAT_A_MATCH);
	mnl_attr_put_strz(nlh, MOAT_A_MATCH_NAME, "tcp");
	d = mnl_attr_nest_start(nlh, MOAT_A_MATCH_DATA);
	mnl_attr_put_u8(nlh, MOAT_A_PORTS_TCP_FLAGS_MASK, 0xc1);
	mnl_attr_put_u8(nlh, MOAT_A_PORTS_TCP_FLAGS_CMP, 0x80);
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, m);
	mnl_attr_nest_end(nlh, ms);
	line = decoded_line(nlh, rule);
	ck_assert_str_eq(line, "-A X -p tcp -m tcp --tcp-flags FIN,0xc0 0x80\n");
	free(line);
}
END_TEST

/* Compared flags without a mask: never matches, and -S must say so. */
START_TEST(test_tcp_flags_no_mask)
{
	struct moat_rule *r = parse_rule("-A X -p tcp --tcp-flags NONE SYN");
	char *line = save_line(r);

	ck_assert_str_eq(line, "-A X -p tcp -m tcp --tcp-flags NONE SYN\n");
	free(line);
	moat_rule_free(r);
}
END_TEST

Suite *rule_nl_suite(void)
{
	Suite *s = suite_create("rule_nl");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_roundtrip, 0,
			    sizeof(specs) / sizeof(specs[0]));
	tcase_add_test(tc, test_optional_parts);
	tcase_add_test(tc, test_too_small);
	tcase_add_test(tc, test_unknown_attrs_skipped);
	tcase_add_loop_test(tc, test_malformed, 0,
			    sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, test_truncated_nest);
	tcase_add_test(tc, test_multiport_range_end_flag);
	tcase_add_test(tc, test_tcp_flags_unnamed);
	tcase_add_test(tc, test_tcp_flags_no_mask);
	suite_add_tcase(s, tc);
	return s;
}
