// SPDX-License-Identifier: GPL-2.0
/* Netlink decoding without a kernel: replies and errors built by hand. */
#include <errno.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "info.h"
#include "nl.h"
#include "suites.h"

static char buf[MOAT_NL_BUF];

static struct nlmsghdr *genl_msg(uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	return nlh;
}

START_TEST(test_info_parse)
{
	struct nlmsghdr *nlh = genl_msg(MOAT_CMD_GET_INFO);
	struct nlattr *nest;
	struct moat_info info;

	mnl_attr_put_strz(nlh, MOAT_A_VERSION, "9.9.9");
	nest = mnl_attr_nest_start(nlh, MOAT_A_TABLES);
	mnl_attr_put_strz(nlh, MOAT_A_TABLE_NAME, "filter");
	mnl_attr_put_u32(nlh, 200, 7);	/* from a newer module: skipped */
	mnl_attr_put_strz(nlh, MOAT_A_TABLE_NAME, "nat");
	mnl_attr_nest_end(nlh, nest);
	ck_assert_int_eq(moat_info_parse(nlh, &info), MNL_CB_OK);
	ck_assert_str_eq(info.version, "9.9.9");
	ck_assert_int_eq(info.n_tables, 2);
	ck_assert_str_eq(info.tables[0], "filter");
	ck_assert_str_eq(info.tables[1], "nat");
}
END_TEST

START_TEST(test_info_rejects_long_table_name)
{
	struct nlmsghdr *nlh = genl_msg(MOAT_CMD_GET_INFO);
	struct nlattr *nest = mnl_attr_nest_start(nlh, MOAT_A_TABLES);
	char name[MOAT_NAME_LEN + 1];
	struct moat_info info;

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	mnl_attr_put_strz(nlh, MOAT_A_TABLE_NAME, name);
	mnl_attr_nest_end(nlh, nest);
	ck_assert_int_eq(moat_info_parse(nlh, &info), MNL_CB_ERROR);
}
END_TEST

/* An NLMSG_ERROR as the kernel sends it: errno, our request, then TLVs. */
static struct nlmsghdr *error_msg(int error, const char *text, int capped)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *err;
	size_t echo = capped ? 0 : 8;	/* a request with an 8-byte payload */

	nlh->nlmsg_type = NLMSG_ERROR;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err) + echo);
	err->error = error;
	err->msg.nlmsg_len = sizeof(struct nlmsghdr) + 8;
	if (text) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	}
	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	return nlh;
}

START_TEST(test_error_with_extack)
{
	char msg[64];
	int capped = _i;

	ck_assert_int_eq(moat_nl_parse_error(error_msg(-EINVAL, "bad chain", capped),
					     msg, sizeof(msg)), -EINVAL);
	ck_assert_str_eq(msg, "bad chain");
}
END_TEST

START_TEST(test_error_without_extack)
{
	char msg[64] = "stale";

	ck_assert_int_eq(moat_nl_parse_error(error_msg(-EPERM, NULL, 0), msg,
					     sizeof(msg)), -EPERM);
	ck_assert_str_eq(msg, "");
}
END_TEST

START_TEST(test_ack_is_not_an_error)
{
	char msg[64];

	ck_assert_int_eq(moat_nl_parse_error(error_msg(0, NULL, 1), msg,
					     sizeof(msg)), 0);
}
END_TEST

START_TEST(test_truncated_error)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	char msg[64];

	nlh->nlmsg_type = NLMSG_ERROR;
	ck_assert_int_eq(moat_nl_parse_error(nlh, msg, sizeof(msg)), -EBADMSG);
}
END_TEST

Suite *nl_suite(void)
{
	Suite *s = suite_create("netlink");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_info_parse);
	tcase_add_test(tc, test_info_rejects_long_table_name);
	tcase_add_loop_test(tc, test_error_with_extack, 0, 2);
	tcase_add_test(tc, test_error_without_extack);
	tcase_add_test(tc, test_ack_is_not_an_error);
	tcase_add_test(tc, test_truncated_error);
	suite_add_tcase(s, tc);
	return s;
}
