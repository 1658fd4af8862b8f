/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MOAT_SUITES_H
#define MOAT_SUITES_H
#include <check.h>

Suite *prog_suite(void);
Suite *nl_suite(void);
Suite *parse_suite(void);
Suite *print_suite(void);
Suite *rule_nl_suite(void);
Suite *targets_suite(void);
Suite *conntrack_suite(void);
#endif
