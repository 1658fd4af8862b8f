// SPDX-License-Identifier: GPL-2.0
/* moat: MOAT_CMD_GET_INFO, the module's version and tables. */
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>
#include "info.h"

static int table_cb(const struct nlattr *attr, void *data)
{
	struct moat_info *info = data;

	/* Unknown attributes from a newer module are skipped. */
	if (mnl_attr_get_type(attr) != MOAT_A_TABLE_NAME)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
	    mnl_attr_get_payload_len(attr) > MOAT_NAME_LEN ||
	    info->n_tables == MOAT_MAX_TABLES)
		return MNL_CB_ERROR;
	strcpy(info->tables[info->n_tables++], mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int info_attr_cb(const struct nlattr *attr, void *data)
{
	struct moat_info *info = data;

	switch (mnl_attr_get_type(attr)) {
	case MOAT_A_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		snprintf(info->version, sizeof(info->version), "%s",
			 mnl_attr_get_str(attr));
		break;
	case MOAT_A_TABLES:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		return mnl_attr_parse_nested(attr, table_cb, info);
	}
	return MNL_CB_OK;
}

int moat_info_parse(const struct nlmsghdr *nlh, void *data)
{
	memset(data, 0, sizeof(struct moat_info));
	return mnl_attr_parse(nlh, GENL_HDRLEN, info_attr_cb, data);
}

int moat_info_get(struct moat_nl *nl, struct moat_info *info)
{
	char buf[MOAT_NL_BUF];
	struct nlmsghdr *nlh = moat_nl_request(nl, buf, MOAT_CMD_GET_INFO, 0);

	return moat_nl_talk(nl, nlh, moat_info_parse, info);
}

void moat_info_print(const struct moat_info *info)
{
	int i;

	printf("module version: %s\n", info->version);
	printf("tables:");
	for (i = 0; i < info->n_tables; i++)
		printf(" %s", info->tables[i]);
	printf("%s\n", info->n_tables ? "" : " (none)");
}
