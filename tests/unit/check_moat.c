// SPDX-License-Identifier: GPL-2.0
/* Runs every Check suite of moat's userspace. */
#include <stdlib.h>
#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(prog_suite());
	int failed;

	srunner_add_suite(sr, nl_suite());
	srunner_add_suite(sr, parse_suite());
	srunner_add_suite(sr, print_suite());
	srunner_add_suite(sr, rule_nl_suite());
	srunner_add_suite(sr, targets_suite());
	srunner_add_suite(sr, conntrack_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
