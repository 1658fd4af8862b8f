// SPDX-License-Identifier: GPL-2.0
/* The name the binary runs under picks the program and its manners. */
#include <string.h>
#include "prog.h"
#include "suites.h"

START_TEST(test_find_by_basename)
{
	const struct moat_prog *p = moat_prog_find("/usr/sbin/moat");

	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->name, "moat");
	ck_assert(!p->iptables);
	p = moat_prog_find("iptables");
	ck_assert_ptr_nonnull(p);
	ck_assert(p->iptables);
}
END_TEST

START_TEST(test_unknown_names)
{
	ck_assert_ptr_null(moat_prog_find("moat-bogus"));
	ck_assert_ptr_null(moat_prog_find("/sbin/"));
	ck_assert_ptr_null(moat_prog_find("iptables/"));
}
END_TEST

START_TEST(test_banner)
{
	moat_self = moat_prog_find("moat");
	ck_assert_str_eq(moat_banner(), "moat v" MOAT_VERSION);
	moat_self = moat_prog_find("iptables");
	ck_assert_str_eq(moat_banner(), "iptables v1.8.9 (moat " MOAT_VERSION ")");
}
END_TEST

START_TEST(test_param_die_exits_2)
{
	moat_self = moat_prog_find("moat");
	moat_param_die("unknown option \"%s\"", "--x");
}
END_TEST

Suite *prog_suite(void)
{
	Suite *s = suite_create("prog");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_find_by_basename);
	tcase_add_test(tc, test_unknown_names);
	tcase_add_test(tc, test_banner);
	tcase_add_exit_test(tc, test_param_die_exits_2, 2);
	suite_add_tcase(s, tc);
	return s;
}
