/* SPDX-License-Identifier: GPL-2.0 */
/* moat: MOAT_CMD_GET_INFO, the module's version and tables. */
#ifndef MOAT_INFO_H
#define MOAT_INFO_H

#include <linux/moat.h>
#include "nl.h"

#define MOAT_MAX_TABLES 8

struct moat_info {
	char version[32];
	char tables[MOAT_MAX_TABLES][MOAT_NAME_LEN];
	int n_tables;
};

/* Decodes a GET_INFO reply; an mnl callback with @data a moat_info. */
int moat_info_parse(const struct nlmsghdr *nlh, void *data);

/* Asks the module. Returns 0 or -errno. */
int moat_info_get(struct moat_nl *nl, struct moat_info *info);

void moat_info_print(const struct moat_info *info);

#endif
