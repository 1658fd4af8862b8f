// SPDX-License-Identifier: GPL-2.0
/*
 * moat -M: ctnetlink messages built here as the kernel sends them, decoded
 * and printed as conntrack -L prints them, [SNAT]/[DNAT] added.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include "conntrack.h"
#include "suites.h"

static char buf[4096];

static struct nlmsghdr *ct_msg(void)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	return nlh;
}

/* A tuple with ports (@icmp false) or an ICMP type, code and id. */
static void put_tuple(struct nlmsghdr *nlh, uint16_t type, const char *src,
		      const char *dst, uint8_t proto, uint16_t a, uint16_t b,
		      uint16_t id)
{
	struct nlattr *tuple = mnl_attr_nest_start(nlh, type), *n;
	struct in_addr addr;

	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	inet_pton(AF_INET, src, &addr);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, addr.s_addr);
	inet_pton(AF_INET, dst, &addr);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, addr.s_addr);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	if (proto == IPPROTO_ICMP) {
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE, a);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, b);
		mnl_attr_put_u16(nlh, CTA_PROTO_ICMP_ID, htons(id));
	} else {
		mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(a));
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(b));
	}
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, tuple);
}

static void put_common(struct nlmsghdr *nlh, uint32_t status,
		       uint32_t timeout, uint32_t mark, uint32_t use)
{
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(status));
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(timeout));
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(mark));
	mnl_attr_put_u32(nlh, CTA_USE, htonl(use));
	mnl_attr_put_u32(nlh, CTA_ID, htonl(0x1234));	/* not shown */
}

static void put_tcp_state(struct nlmsghdr *nlh, uint8_t state)
{
	struct nlattr *info = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	struct nlattr *tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);

	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, state);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, 7);
	mnl_attr_nest_end(nlh, tcp);
	mnl_attr_nest_end(nlh, info);
}

/* The line moat -M prints for @nlh. */
static char *line_of(const struct nlmsghdr *nlh)
{
	struct moat_ct_entry e;
	char *out = NULL;
	size_t len;
	FILE *f;

	ck_assert_int_eq(moat_ct_decode(nlh, &e), 0);
	f = open_memstream(&out, &len);
	moat_ct_print(f, &e);
	fclose(f);
	return out;
}

START_TEST(test_tcp_assured)
{
	struct nlmsghdr *nlh = ct_msg();
	char *line;

	put_tuple(nlh, CTA_TUPLE_ORIG, "10.0.0.1", "10.0.0.2", IPPROTO_TCP,
		  40000, 22, 0);
	put_tuple(nlh, CTA_TUPLE_REPLY, "10.0.0.2", "10.0.0.1", IPPROTO_TCP,
		  22, 40000, 0);
	put_common(nlh, IPS_SEEN_REPLY | IPS_ASSURED | IPS_CONFIRMED, 117, 0, 1);
	put_tcp_state(nlh, TCP_CONNTRACK_TIME_WAIT);
	line = line_of(nlh);
	ck_assert_str_eq(line,
		"tcp      6 117 TIME_WAIT src=10.0.0.1 dst=10.0.0.2 sport=40000 "
		"dport=22 src=10.0.0.2 dst=10.0.0.1 sport=22 dport=40000 "
		"[ASSURED] mark=0 use=1\n");
	free(line);
}
END_TEST

START_TEST(test_udp_unreplied_snat)
{
	struct nlmsghdr *nlh = ct_msg();
	char *line;

	/* Masqueraded: the reply comes back to the outside address. */
	put_tuple(nlh, CTA_TUPLE_ORIG, "192.168.1.5", "8.8.8.8", IPPROTO_UDP,
		  5353, 53, 0);
	put_tuple(nlh, CTA_TUPLE_REPLY, "8.8.8.8", "203.0.113.1", IPPROTO_UDP,
		  53, 61000, 0);
	put_common(nlh, IPS_SRC_NAT | IPS_SRC_NAT_DONE | IPS_CONFIRMED, 29,
		   0x10, 2);
	line = line_of(nlh);
	ck_assert_str_eq(line,
		"udp      17 29 src=192.168.1.5 dst=8.8.8.8 sport=5353 dport=53 "
		"[UNREPLIED] src=8.8.8.8 dst=203.0.113.1 sport=53 dport=61000 "
		"[SNAT] mark=16 use=2\n");
	free(line);
}
END_TEST

START_TEST(test_icmp_dnat_counters_zone)
{
	struct nlmsghdr *nlh = ct_msg();
	struct nlattr *c;
	char *line;

	put_tuple(nlh, CTA_TUPLE_ORIG, "10.0.0.1", "10.9.9.9", IPPROTO_ICMP,
		  8, 0, 4242);
	put_tuple(nlh, CTA_TUPLE_REPLY, "10.1.1.1", "10.0.0.1", IPPROTO_ICMP,
		  0, 0, 4242);
	c = mnl_attr_nest_start(nlh, CTA_COUNTERS_ORIG);
	mnl_attr_put_u64(nlh, CTA_COUNTERS_PACKETS, htobe64(3));
	mnl_attr_put_u64(nlh, CTA_COUNTERS_BYTES, htobe64(252));
	mnl_attr_nest_end(nlh, c);
	c = mnl_attr_nest_start(nlh, CTA_COUNTERS_REPLY);
	mnl_attr_put_u64(nlh, CTA_COUNTERS_PACKETS, htobe64(2));
	mnl_attr_put_u64(nlh, CTA_COUNTERS_BYTES, htobe64(168));
	mnl_attr_nest_end(nlh, c);
	put_common(nlh, IPS_SEEN_REPLY | IPS_DST_NAT, 30, 0, 1);
	mnl_attr_put_u16(nlh, CTA_ZONE, htons(7));
	line = line_of(nlh);
	ck_assert_str_eq(line,
		"icmp     1 30 src=10.0.0.1 dst=10.9.9.9 type=8 code=0 id=4242 "
		"packets=3 bytes=252 src=10.1.1.1 dst=10.0.0.1 type=0 code=0 "
		"id=4242 packets=2 bytes=168 [DNAT] mark=0 zone=7 use=1\n");
	free(line);
}
END_TEST

/* Unknown protocols, attributes from a newer kernel, missing ones. */
START_TEST(test_sparse_and_unknown)
{
	struct nlmsghdr *nlh = ct_msg();
	char *line;

	put_tuple(nlh, CTA_TUPLE_ORIG, "10.0.0.1", "10.0.0.2", IPPROTO_GRE,
		  0, 0, 0);
	put_tuple(nlh, CTA_TUPLE_REPLY, "10.0.0.2", "10.0.0.1", IPPROTO_GRE,
		  0, 0, 0);
	mnl_attr_put_u32(nlh, __CTA_MAX + 5, 99);
	line = line_of(nlh);
	ck_assert_str_eq(line,
		"gre      47 src=10.0.0.1 dst=10.0.0.2 src=10.0.0.2 dst=10.0.0.1\n");
	free(line);
}
END_TEST

START_TEST(test_malformed)
{
	struct nlmsghdr *nlh = ct_msg();
	struct moat_ct_entry e;

	mnl_attr_put_u16(nlh, CTA_STATUS, 1);	/* be32 expected */
	ck_assert_int_eq(moat_ct_decode(nlh, &e), -EINVAL);
	nlh = ct_msg();
	mnl_attr_put_u16(nlh, CTA_TUPLE_ORIG, 1);	/* a nest expected */
	ck_assert_int_eq(moat_ct_decode(nlh, &e), -EINVAL);
}
END_TEST

Suite *conntrack_suite(void)
{
	Suite *s = suite_create("conntrack");
	TCase *tc = tcase_create("lines");

	tcase_add_test(tc, test_tcp_assured);
	tcase_add_test(tc, test_udp_unreplied_snat);
	tcase_add_test(tc, test_icmp_dnat_counters_zone);
	tcase_add_test(tc, test_sparse_and_unknown);
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	return s;
}
