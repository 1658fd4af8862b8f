/* SPDX-License-Identifier: GPL-2.0 */
/*
 * moat: "moat -M", this namespace's tracked connections, read from the
 * kernel's own ctnetlink and printed one per line as conntrack-tools do,
 * with a [SNAT]/[DNAT] mark where NAT applies.  IPv4 only.
 */
#ifndef MOAT_CONNTRACK_H
#define MOAT_CONNTRACK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <libmnl/libmnl.h>

struct moat_ct_tuple {
	uint32_t src, dst;		/* network order */
	uint8_t proto;
	uint16_t sport, dport;		/* host order; tcp, udp, sctp, dccp */
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id;		/* host order */
};

/* Which of the optional fields a message carried. */
enum {
	MOAT_CT_HAS_STATUS	= 0x01,
	MOAT_CT_HAS_TIMEOUT	= 0x02,
	MOAT_CT_HAS_MARK	= 0x04,
	MOAT_CT_HAS_USE		= 0x08,
	MOAT_CT_HAS_TCP_STATE	= 0x10,
	MOAT_CT_HAS_ZONE	= 0x20,
	MOAT_CT_HAS_COUNTERS	= 0x40,
};

struct moat_ct_entry {
	struct moat_ct_tuple orig, reply;
	unsigned int has;		/* MOAT_CT_HAS_* */
	uint32_t status;		/* IPS_* */
	uint32_t timeout;		/* seconds left */
	uint32_t mark, use;
	uint8_t tcp_state;		/* TCP_CONNTRACK_* */
	uint16_t zone;
	uint64_t packets[2], bytes[2];	/* original, reply */
};

/*
 * Decodes one IPCTNL_MSG_CT_NEW message of a dump into @e (zeroed first).
 * Unknown attributes are skipped.  0, or -EINVAL if it is malformed.
 */
int moat_ct_decode(const struct nlmsghdr *nlh, struct moat_ct_entry *e);

/* One line, conntrack -L's words, and a newline. */
void moat_ct_print(FILE *f, const struct moat_ct_entry *e);

/* moat -M [-L] [-n]: lists the connections; returns the exit status. */
int moat_conntrack_main(int argc, char **argv);

#endif
