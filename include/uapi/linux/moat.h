/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * moat: the Generic Netlink ABI between the moat.ko module and the moat tool.
 *
 * This header is the protocol specification.  Both sides include this one
 * file.  Every enum starts with an _UNSPEC of 0 and ends with a __..._MAX
 * sentinel.  The ABI only grows: new needs are new attributes or commands,
 * existing ones never change meaning.
 *
 * Family: MOAT_GENL_NAME, version MOAT_GENL_VERSION.  Every command requires
 * CAP_NET_ADMIN in the user namespace that owns the caller's network
 * namespace, and acts on that network namespace only.  Errors are returned
 * as a negative errno with an extended-ack message.
 *
 * MOAT_CMD_GET_INFO (doit)
 *   request:  (no attributes)
 *   reply:    MOAT_A_VERSION        string, the module's version
 *             MOAT_A_TABLES         nest, one MOAT_A_TABLE_NAME string per
 *                                   table present in this namespace
 *
 * Table commands all carry MOAT_A_TABLE_NAME ("filter", ...).  A table
 * exists in every namespace from the first command that names it.
 *
 * MOAT_CMD_GET_TABLE (dump)  -- iptables -L, -S, save
 *   request:  MOAT_A_TABLE_NAME
 *   replies:  first one message per chain, in order (built-in chains in
 *             hook order, then user chains in creation order):
 *               MOAT_A_CHAIN_NAME, and for a built-in chain
 *               MOAT_A_CHAIN_HOOK, MOAT_A_CHAIN_POLICY and
 *               MOAT_A_CHAIN_COUNTERS (the policy's), for a user chain
 *               MOAT_A_CHAIN_REFS (rules jumping or going to it)
 *             then one message per rule, chain by chain, in order:
 *               MOAT_A_CHAIN_NAME, MOAT_A_RULE nest (see below) with
 *               MOAT_A_RULE_COUNTERS
 *             The dump is consistent: if the table changes in between,
 *             the kernel flags NLM_F_DUMP_INTR and the tool starts over.
 *
 * MOAT_CMD_GET_CHAIN (doit)
 *   request:  MOAT_A_TABLE_NAME, MOAT_A_CHAIN_NAME
 *   reply:    the chain's message as in the dump above; -ENOENT if the
 *             table has no such chain
 *
 * Transactions.  Every change above is applied atomically on its own.  To
 * change a table as a whole (restore), open a transaction:
 *
 * MOAT_CMD_BEGIN     MOAT_A_TABLE_NAME, [MOAT_A_TXN_FLAGS]
 *                    MOAT_TXN_F_FLUSH starts from a table with empty
 *                    built-in chains (ACCEPT policies) and no user chains.
 * ... any of NEW_CHAIN, DEL_CHAIN, RENAME_CHAIN, SET_POLICY, NEW_RULE,
 *     DEL_RULE, REPLACE_RULE, CHECK_RULE, FLUSH on that table, from the
 *     same socket: staged, invisible to packets and to dumps ...
 * MOAT_CMD_COMMIT    MOAT_A_TABLE_NAME: validates the whole (loops, call
 *                    depth) and publishes it in one step, or changes
 *                    nothing and fails.
 * MOAT_CMD_ABORT     MOAT_A_TABLE_NAME: drops the staged changes.
 *
 * One transaction per table at a time: other sockets' changes to the table
 * fail with -EBUSY meanwhile.  After a failed command the transaction only
 * accepts ABORT (others fail with -ECANCELED).  Closing the socket aborts.
 * Requests inside a transaction need no NLM_F_ACK: errors are reported
 * anyway, so a restore can stream thousands of rules per sendmsg.
 *
 * MOAT_CMD_NEW_CHAIN    -N   MOAT_A_CHAIN_NAME
 * MOAT_CMD_DEL_CHAIN    -X   [MOAT_A_CHAIN_NAME]  (none: every empty,
 *                            unreferenced user chain)
 * MOAT_CMD_RENAME_CHAIN -E   MOAT_A_CHAIN_NAME, MOAT_A_CHAIN_NEWNAME
 * MOAT_CMD_SET_POLICY   -P   MOAT_A_CHAIN_NAME, MOAT_A_CHAIN_POLICY,
 *                            [MOAT_A_CHAIN_COUNTERS]
 * MOAT_CMD_NEW_RULE     -A/-I  MOAT_A_CHAIN_NAME, MOAT_A_RULE,
 *                            [MOAT_A_RULE_POS]  (1-based insert position;
 *                            absent: append)
 * MOAT_CMD_DEL_RULE     -D   MOAT_A_CHAIN_NAME, MOAT_A_RULE_POS or MOAT_A_RULE
 *                            (the first rule equal to it)
 * MOAT_CMD_REPLACE_RULE -R   MOAT_A_CHAIN_NAME, MOAT_A_RULE_POS, MOAT_A_RULE
 * MOAT_CMD_CHECK_RULE   -C   MOAT_A_CHAIN_NAME, MOAT_A_RULE: 0 if an equal
 *                            rule exists, else -ENOENT
 * MOAT_CMD_FLUSH        -F   [MOAT_A_CHAIN_NAME]  (none: all chains)
 * MOAT_CMD_ZERO         -Z   [MOAT_A_CHAIN_NAME [MOAT_A_RULE_POS]]
 *
 * A rule (MOAT_A_RULE nest, attributes MOAT_A_RULE_*):
 *   SRC, SRC_MASK, DST, DST_MASK   be32 address and netmask
 *   IIF, OIF                       string interface name; a trailing '+'
 *                                  matches every name with that prefix
 *   PROTO                          u16 IP protocol, 0 = any
 *   FLAGS                          u32 MOAT_RULE_F_*
 *   INV                            u32 MOAT_INV_*: which of the above
 *                                  are negated
 *   MATCHES                        nest of MOAT_A_MATCH nests, in order:
 *       MOAT_A_MATCH_NAME string ("tcp", "udp", "icmp", ...)
 *       MOAT_A_MATCH_DATA nest, the match's own attributes
 *   TARGET                         nest, absent for a rule with no -j:
 *       MOAT_A_TARGET_VERDICT u32 MOAT_VERDICT_*, or
 *       MOAT_A_TARGET_JUMP / MOAT_A_TARGET_GOTO string user chain, or
 *       MOAT_A_TARGET_NAME string ("REJECT", "LOG", ...) with
 *       MOAT_A_TARGET_DATA nest, the target's own attributes
 *   COUNTERS                       nest MOAT_A_COUNTERS_PACKETS/BYTES u64
 */
#ifndef _UAPI_LINUX_MOAT_H
#define _UAPI_LINUX_MOAT_H

#define MOAT_GENL_NAME		"moat"
#define MOAT_GENL_VERSION	1

enum moat_genl_cmd {
	MOAT_CMD_UNSPEC,
	MOAT_CMD_GET_INFO,
	MOAT_CMD_GET_TABLE,
	MOAT_CMD_NEW_CHAIN,
	MOAT_CMD_DEL_CHAIN,
	MOAT_CMD_RENAME_CHAIN,
	MOAT_CMD_SET_POLICY,
	MOAT_CMD_NEW_RULE,
	MOAT_CMD_DEL_RULE,
	MOAT_CMD_REPLACE_RULE,
	MOAT_CMD_CHECK_RULE,
	MOAT_CMD_FLUSH,
	MOAT_CMD_ZERO,
	MOAT_CMD_GET_CHAIN,
	MOAT_CMD_BEGIN,
	MOAT_CMD_COMMIT,
	MOAT_CMD_ABORT,

	__MOAT_CMD_MAX,
};
#define MOAT_CMD_MAX (__MOAT_CMD_MAX - 1)

/* Top-level attributes of requests and replies. */
enum moat_attr {
	MOAT_A_UNSPEC,
	MOAT_A_VERSION,		/* string */
	MOAT_A_TABLES,		/* nest of MOAT_A_TABLE_NAME */
	MOAT_A_TABLE_NAME,	/* string, at most MOAT_NAME_LEN - 1 bytes */
	MOAT_A_CHAIN_NAME,	/* string */
	MOAT_A_CHAIN_NEWNAME,	/* string */
	MOAT_A_CHAIN_POLICY,	/* u32 MOAT_VERDICT_ACCEPT or _DROP */
	MOAT_A_CHAIN_HOOK,	/* u32 NF_INET_*, built-in chains only */
	MOAT_A_CHAIN_COUNTERS,	/* nest of MOAT_A_COUNTERS_* */
	MOAT_A_CHAIN_REFS,	/* u32, user chains: rules jumping to it */
	MOAT_A_RULE,		/* nest of MOAT_A_RULE_* */
	MOAT_A_RULE_POS,	/* u32, 1-based */
	MOAT_A_TXN_FLAGS,	/* u32 MOAT_TXN_F_* */

	__MOAT_A_MAX,
};
#define MOAT_A_MAX (__MOAT_A_MAX - 1)

enum moat_counters_attr {
	MOAT_A_COUNTERS_UNSPEC,
	MOAT_A_COUNTERS_PACKETS,	/* u64 */
	MOAT_A_COUNTERS_BYTES,		/* u64 */
	MOAT_A_COUNTERS_PAD,

	__MOAT_A_COUNTERS_MAX,
};
#define MOAT_A_COUNTERS_MAX (__MOAT_A_COUNTERS_MAX - 1)

enum moat_rule_attr {
	MOAT_A_RULE_UNSPEC,
	MOAT_A_RULE_SRC,		/* be32 */
	MOAT_A_RULE_SRC_MASK,		/* be32 */
	MOAT_A_RULE_DST,		/* be32 */
	MOAT_A_RULE_DST_MASK,		/* be32 */
	MOAT_A_RULE_IIF,		/* string, < IFNAMSIZ */
	MOAT_A_RULE_OIF,		/* string, < IFNAMSIZ */
	MOAT_A_RULE_PROTO,		/* u16 */
	MOAT_A_RULE_FLAGS,		/* u32 MOAT_RULE_F_* */
	MOAT_A_RULE_INV,		/* u32 MOAT_INV_* */
	MOAT_A_RULE_MATCHES,		/* nest of MOAT_A_MATCH */
	MOAT_A_RULE_TARGET,		/* nest of MOAT_A_TARGET_* */
	MOAT_A_RULE_COUNTERS,		/* nest of MOAT_A_COUNTERS_* */

	__MOAT_A_RULE_MAX,
};
#define MOAT_A_RULE_MAX (__MOAT_A_RULE_MAX - 1)

/* MOAT_A_TXN_FLAGS */
#define MOAT_TXN_F_FLUSH	0x01
#define MOAT_TXN_F_ALL		0x01

/* MOAT_A_RULE_FLAGS */
#define MOAT_RULE_F_FRAG	0x01	/* -f: second and later fragments */
#define MOAT_RULE_F_ALL		0x01

/* MOAT_A_RULE_INV */
#define MOAT_INV_IIF		0x01
#define MOAT_INV_OIF		0x02
#define MOAT_INV_SRC		0x08
#define MOAT_INV_DST		0x10
#define MOAT_INV_FRAG		0x20
#define MOAT_INV_PROTO		0x40
#define MOAT_INV_ALL		0x7b

/* Inside MOAT_A_RULE_MATCHES. */
enum moat_matches_attr {
	MOAT_A_MATCHES_UNSPEC,
	MOAT_A_MATCH,			/* nest of MOAT_A_MATCH_* */

	__MOAT_A_MATCHES_MAX,
};

enum moat_match_attr {
	MOAT_A_MATCH_UNSPEC,
	MOAT_A_MATCH_NAME,		/* string */
	MOAT_A_MATCH_DATA,		/* nest, the match's own attributes */

	__MOAT_A_MATCH_MAX,
};
#define MOAT_A_MATCH_MAX (__MOAT_A_MATCH_MAX - 1)

enum moat_target_attr {
	MOAT_A_TARGET_UNSPEC,
	MOAT_A_TARGET_VERDICT,		/* u32 MOAT_VERDICT_* */
	MOAT_A_TARGET_JUMP,		/* string, a user chain */
	MOAT_A_TARGET_GOTO,		/* string, a user chain */
	MOAT_A_TARGET_NAME,		/* string, an extension target */
	MOAT_A_TARGET_DATA,		/* nest, the extension's attributes */

	__MOAT_A_TARGET_MAX,
};
#define MOAT_A_TARGET_MAX (__MOAT_A_TARGET_MAX - 1)

enum moat_verdict {
	MOAT_VERDICT_UNSPEC,
	MOAT_VERDICT_ACCEPT,
	MOAT_VERDICT_DROP,
	MOAT_VERDICT_RETURN,

	__MOAT_VERDICT_MAX,
};
#define MOAT_VERDICT_MAX (__MOAT_VERDICT_MAX - 1)

/*
 * The "tcp" and "udp" matches: port ranges are inclusive, a range of
 * 0:65535 matches everything.  TCP flags: (flags & FLAGS_MASK) == FLAGS_CMP.
 */
enum moat_tcpudp_attr {
	MOAT_A_PORTS_UNSPEC,
	MOAT_A_PORTS_SPORT_MIN,		/* u16 */
	MOAT_A_PORTS_SPORT_MAX,		/* u16 */
	MOAT_A_PORTS_DPORT_MIN,		/* u16 */
	MOAT_A_PORTS_DPORT_MAX,		/* u16 */
	MOAT_A_PORTS_TCP_FLAGS_MASK,	/* u8, tcp only */
	MOAT_A_PORTS_TCP_FLAGS_CMP,	/* u8, tcp only */
	MOAT_A_PORTS_TCP_OPTION,	/* u8, tcp only: --tcp-option */
	MOAT_A_PORTS_INV,		/* u32 MOAT_PORTS_INV_* */

	__MOAT_A_PORTS_MAX,
};
#define MOAT_A_PORTS_MAX (__MOAT_A_PORTS_MAX - 1)

#define MOAT_PORTS_INV_SPORT	0x01
#define MOAT_PORTS_INV_DPORT	0x02
#define MOAT_PORTS_INV_FLAGS	0x04
#define MOAT_PORTS_INV_OPTION	0x08
#define MOAT_PORTS_INV_ALL	0x0f

/* The "icmp" match: type 255 matches any type ("any"). */
enum moat_icmp_attr {
	MOAT_A_ICMP_UNSPEC,
	MOAT_A_ICMP_TYPE,		/* u8 */
	MOAT_A_ICMP_CODE_MIN,		/* u8 */
	MOAT_A_ICMP_CODE_MAX,		/* u8 */
	MOAT_A_ICMP_INV,		/* flag: negated */

	__MOAT_A_ICMP_MAX,
};
#define MOAT_A_ICMP_MAX (__MOAT_A_ICMP_MAX - 1)

/*
 * Matches of the stateful-firewall issue.  Each is MOAT_A_MATCH_NAME plus
 * these attributes in MOAT_A_MATCH_DATA.  Absent attributes take iptables'
 * defaults.  An INV attribute is a u32 of the match's *_INV_* bits.
 */

/* "multiport": --sports/--dports/--ports, up to 15 ports, a range counts 2. */
enum moat_multiport_attr {
	MOAT_A_MULTIPORT_UNSPEC,
	MOAT_A_MULTIPORT_FLAGS,		/* u8 MOAT_MULTIPORT_SOURCE/_DESTINATION/_EITHER */
	MOAT_A_MULTIPORT_PORTS,		/* binary: u16 ports[], host order */
	MOAT_A_MULTIPORT_PFLAGS,	/* binary: u8 per port, 1 = starts a range */
	MOAT_A_MULTIPORT_INV,		/* flag */

	__MOAT_A_MULTIPORT_MAX,
};
#define MOAT_A_MULTIPORT_MAX (__MOAT_A_MULTIPORT_MAX - 1)
#define MOAT_MULTIPORT_SOURCE		0
#define MOAT_MULTIPORT_DESTINATION	1
#define MOAT_MULTIPORT_EITHER		2
#define MOAT_MULTIPORT_MAX_PORTS	15

/* "iprange": --src-range/--dst-range a-b (be32, inclusive). */
enum moat_iprange_attr {
	MOAT_A_IPRANGE_UNSPEC,
	MOAT_A_IPRANGE_SRC_MIN,		/* be32 */
	MOAT_A_IPRANGE_SRC_MAX,		/* be32 */
	MOAT_A_IPRANGE_DST_MIN,		/* be32 */
	MOAT_A_IPRANGE_DST_MAX,		/* be32 */
	MOAT_A_IPRANGE_FLAGS,		/* u8 MOAT_IPRANGE_* */

	__MOAT_A_IPRANGE_MAX,
};
#define MOAT_A_IPRANGE_MAX (__MOAT_A_IPRANGE_MAX - 1)
#define MOAT_IPRANGE_SRC	0x01
#define MOAT_IPRANGE_DST	0x02
#define MOAT_IPRANGE_SRC_INV	0x10
#define MOAT_IPRANGE_DST_INV	0x20

/* "addrtype": --src-type/--dst-type (RTN_* bit masks), --limit-iface-*. */
enum moat_addrtype_attr {
	MOAT_A_ADDRTYPE_UNSPEC,
	MOAT_A_ADDRTYPE_SOURCE,		/* u16 bit (1 << RTN_*) mask */
	MOAT_A_ADDRTYPE_DEST,		/* u16 */
	MOAT_A_ADDRTYPE_FLAGS,		/* u32 MOAT_ADDRTYPE_* */

	__MOAT_A_ADDRTYPE_MAX,
};
#define MOAT_A_ADDRTYPE_MAX (__MOAT_A_ADDRTYPE_MAX - 1)
#define MOAT_ADDRTYPE_INVERT_SOURCE	0x01
#define MOAT_ADDRTYPE_INVERT_DEST	0x02
#define MOAT_ADDRTYPE_LIMIT_IFACE_IN	0x04
#define MOAT_ADDRTYPE_LIMIT_IFACE_OUT	0x08

/* "mac": --mac-source. */
enum moat_mac_attr {
	MOAT_A_MAC_UNSPEC,
	MOAT_A_MAC_ADDR,		/* binary, 6 bytes */
	MOAT_A_MAC_INV,			/* flag */

	__MOAT_A_MAC_MAX,
};
#define MOAT_A_MAC_MAX (__MOAT_A_MAC_MAX - 1)

/* "length": --length min[:max] of the IP packet. */
enum moat_length_attr {
	MOAT_A_LENGTH_UNSPEC,
	MOAT_A_LENGTH_MIN,		/* u16 */
	MOAT_A_LENGTH_MAXLEN,		/* u16 (not _MAX: that is the last attr) */
	MOAT_A_LENGTH_INV,		/* flag */

	__MOAT_A_LENGTH_MAX,
};
#define MOAT_A_LENGTH_MAX (__MOAT_A_LENGTH_MAX - 1)

/* "ttl": --ttl-eq/--ttl-lt/--ttl-gt (! --ttl-eq is "not equal"). */
enum moat_ttl_attr {
	MOAT_A_TTL_UNSPEC,
	MOAT_A_TTL_MODE,		/* u8 MOAT_TTL_EQ/_NE/_LT/_GT */
	MOAT_A_TTL_VALUE,		/* u8 */

	__MOAT_A_TTL_MAX,
};
#define MOAT_A_TTL_MAX (__MOAT_A_TTL_MAX - 1)
#define MOAT_TTL_EQ	0
#define MOAT_TTL_NE	1
#define MOAT_TTL_LT	2
#define MOAT_TTL_GT	3

/* "tos" (--tos value[/mask] or a name) and "dscp" (--dscp, --dscp-class). */
enum moat_tos_attr {
	MOAT_A_TOS_UNSPEC,
	MOAT_A_TOS_VALUE,		/* u8: tos value, or the dscp (0..63) */
	MOAT_A_TOS_MASK,		/* u8, tos only */
	MOAT_A_TOS_INV,			/* flag */

	__MOAT_A_TOS_MAX,
};
#define MOAT_A_TOS_MAX (__MOAT_A_TOS_MAX - 1)

/* "mark": --mark value[/mask]; also the "connmark" match. */
enum moat_mark_attr {
	MOAT_A_MARK_UNSPEC,
	MOAT_A_MARK_VALUE,		/* u32 */
	MOAT_A_MARK_MASK,		/* u32, default 0xffffffff */
	MOAT_A_MARK_INV,		/* flag */

	__MOAT_A_MARK_MAX,
};
#define MOAT_A_MARK_MAX (__MOAT_A_MARK_MAX - 1)

/* "comment": --comment, at most 255 bytes; matches every packet. */
enum moat_comment_attr {
	MOAT_A_COMMENT_UNSPEC,
	MOAT_A_COMMENT_TEXT,		/* string */

	__MOAT_A_COMMENT_MAX,
};
#define MOAT_A_COMMENT_MAX (__MOAT_A_COMMENT_MAX - 1)
#define MOAT_COMMENT_LEN	256

/* "limit": --limit rate/unit, --limit-burst; a token bucket. */
enum moat_limit_attr {
	MOAT_A_LIMIT_UNSPEC,
	MOAT_A_LIMIT_AVG,		/* u32, iptables' units: 10000 per second */
	MOAT_A_LIMIT_BURST,		/* u32, at most MOAT_LIMIT_BURST_MAX */

	__MOAT_A_LIMIT_MAX,
};
#define MOAT_A_LIMIT_MAX (__MOAT_A_LIMIT_MAX - 1)
/* A period of 1 (10000/s) to MOAT_LIMIT_SCALE * 86400 (1/day). */
#define MOAT_LIMIT_SCALE	10000
#define MOAT_LIMIT_BURST_MAX	10000

/* "recent": a per-namespace table of addresses by --name. */
enum moat_recent_attr {
	MOAT_A_RECENT_UNSPEC,
	MOAT_A_RECENT_NAME,		/* string, at most 199 bytes */
	MOAT_A_RECENT_MODE,		/* u8 MOAT_RECENT_SET/_CHECK/_UPDATE/_REMOVE */
	MOAT_A_RECENT_SECONDS,		/* u32 */
	MOAT_A_RECENT_HITCOUNT,		/* u32 */
	MOAT_A_RECENT_FLAGS,		/* u8 MOAT_RECENT_F_* */
	MOAT_A_RECENT_MASK,		/* be32, default 255.255.255.255 */
	MOAT_A_RECENT_INV,		/* flag */

	__MOAT_A_RECENT_MAX,
};
#define MOAT_A_RECENT_MAX (__MOAT_A_RECENT_MAX - 1)
#define MOAT_RECENT_SET		1
#define MOAT_RECENT_CHECK	2
#define MOAT_RECENT_UPDATE	3
#define MOAT_RECENT_REMOVE	4
#define MOAT_RECENT_F_RSOURCE	0x01	/* default */
#define MOAT_RECENT_F_RDEST	0x02
#define MOAT_RECENT_F_RTTL	0x04
#define MOAT_RECENT_F_REAP	0x08
#define MOAT_RECENT_NAME_LEN	200

/* "statistic": --mode random --probability p | --mode nth --every n. */
enum moat_statistic_attr {
	MOAT_A_STATISTIC_UNSPEC,
	MOAT_A_STATISTIC_MODE,		/* u8 MOAT_STATISTIC_RANDOM/_NTH */
	MOAT_A_STATISTIC_PROBABILITY,	/* u32, 0x80000000 is 1, as iptables */
	MOAT_A_STATISTIC_EVERY,		/* u32, n - 1 as iptables stores it */
	MOAT_A_STATISTIC_PACKET,	/* u32 */
	MOAT_A_STATISTIC_INV,		/* flag */

	__MOAT_A_STATISTIC_MAX,
};
#define MOAT_A_STATISTIC_MAX (__MOAT_A_STATISTIC_MAX - 1)
#define MOAT_STATISTIC_RANDOM	0
#define MOAT_STATISTIC_NTH	1

/* "owner": --uid-owner/--gid-owner ranges, --socket-exists; OUTPUT only. */
enum moat_owner_attr {
	MOAT_A_OWNER_UNSPEC,
	MOAT_A_OWNER_UID_MIN,		/* u32 */
	MOAT_A_OWNER_UID_MAX,		/* u32 */
	MOAT_A_OWNER_GID_MIN,		/* u32 */
	MOAT_A_OWNER_GID_MAX,		/* u32 */
	MOAT_A_OWNER_MATCH,		/* u8 MOAT_OWNER_* given */
	MOAT_A_OWNER_INVERT,		/* u8 MOAT_OWNER_* negated */

	__MOAT_A_OWNER_MAX,
};
#define MOAT_A_OWNER_MAX (__MOAT_A_OWNER_MAX - 1)
#define MOAT_OWNER_UID		0x01
#define MOAT_OWNER_GID		0x02
#define MOAT_OWNER_SOCKET	0x04
#define MOAT_OWNER_SUPPL_GROUPS	0x08

/* "state" (--state) and "conntrack" (--ctstate, --ctproto, ...). */
enum moat_conntrack_attr {
	MOAT_A_CT_UNSPEC,
	MOAT_A_CT_STATE,		/* u16 MOAT_CT_STATE_* bits */
	MOAT_A_CT_STATUS,		/* u32 IPS_* bits, CONFIRMED at most */
	MOAT_A_CT_PROTO,		/* u16 */
	MOAT_A_CT_ORIGSRC,		/* be32 */
	MOAT_A_CT_ORIGSRC_MASK,		/* be32 */
	MOAT_A_CT_ORIGDST,		/* be32 */
	MOAT_A_CT_ORIGDST_MASK,		/* be32 */
	MOAT_A_CT_REPLSRC,		/* be32 */
	MOAT_A_CT_REPLSRC_MASK,		/* be32 */
	MOAT_A_CT_REPLDST,		/* be32 */
	MOAT_A_CT_REPLDST_MASK,		/* be32 */
	MOAT_A_CT_FLAGS,		/* u16 MOAT_CT_F_*: which are given */
	MOAT_A_CT_INV,			/* u16 MOAT_CT_F_*: which are negated */
	MOAT_A_CT_DIR,			/* u8 MOAT_CT_DIR_ORIGINAL/_REPLY */

	__MOAT_A_CT_MAX,
};
#define MOAT_A_CT_MAX (__MOAT_A_CT_MAX - 1)
#define MOAT_CT_STATE_INVALID		0x01
#define MOAT_CT_STATE_ESTABLISHED	0x02
#define MOAT_CT_STATE_RELATED		0x04
#define MOAT_CT_STATE_NEW		0x08
#define MOAT_CT_STATE_UNTRACKED		0x10
#define MOAT_CT_STATE_SNAT		0x20
#define MOAT_CT_STATE_DNAT		0x40
#define MOAT_CT_F_STATE		0x0001
#define MOAT_CT_F_PROTO		0x0002
#define MOAT_CT_F_ORIGSRC	0x0004
#define MOAT_CT_F_ORIGDST	0x0008
#define MOAT_CT_F_REPLSRC	0x0010
#define MOAT_CT_F_REPLDST	0x0020
#define MOAT_CT_F_STATUS	0x0040
#define MOAT_CT_F_DIR		0x0400
#define MOAT_CT_DIR_ORIGINAL	1
#define MOAT_CT_DIR_REPLY	2

/* Targets of the stateful-firewall issue, in MOAT_A_TARGET_DATA. */

/* "REJECT": --reject-with. */
enum moat_reject_attr {
	MOAT_A_REJECT_UNSPEC,
	MOAT_A_REJECT_WITH,		/* u8 MOAT_REJECT_* */

	__MOAT_A_REJECT_MAX,
};
#define MOAT_A_REJECT_MAX (__MOAT_A_REJECT_MAX - 1)
enum moat_reject_with {
	MOAT_REJECT_ICMP_NET_UNREACHABLE,
	MOAT_REJECT_ICMP_HOST_UNREACHABLE,
	MOAT_REJECT_ICMP_PROT_UNREACHABLE,
	MOAT_REJECT_ICMP_PORT_UNREACHABLE,
	MOAT_REJECT_ICMP_ECHOREPLY,		/* refused, as iptables */
	MOAT_REJECT_ICMP_NET_PROHIBITED,
	MOAT_REJECT_ICMP_HOST_PROHIBITED,
	MOAT_REJECT_TCP_RESET,
	MOAT_REJECT_ICMP_ADMIN_PROHIBITED,
	__MOAT_REJECT_MAX,
};

/* "LOG": --log-prefix, --log-level, --log-tcp-sequence, ... */
enum moat_log_attr {
	MOAT_A_LOG_UNSPEC,
	MOAT_A_LOG_PREFIX,		/* string, at most 29 bytes */
	MOAT_A_LOG_LEVEL,		/* u8, syslog level, default 4 */
	MOAT_A_LOG_FLAGS,		/* u8 MOAT_LOG_* */

	__MOAT_A_LOG_MAX,
};
#define MOAT_A_LOG_MAX (__MOAT_A_LOG_MAX - 1)
#define MOAT_LOG_TCPSEQ		0x01
#define MOAT_LOG_TCPOPT		0x02
#define MOAT_LOG_IPOPT		0x04
#define MOAT_LOG_UID		0x08
#define MOAT_LOG_MACDECODE	0x20
#define MOAT_LOG_PREFIX_LEN	30

/*
 * Targets of the NAT issue, in MOAT_A_TARGET_DATA.
 *
 * Tables and hooks (the kernel refuses a rule elsewhere with -EINVAL):
 *   SNAT        nat: POSTROUTING, INPUT
 *   DNAT        nat: PREROUTING, OUTPUT
 *   MASQUERADE  nat: POSTROUTING
 *   REDIRECT    nat: PREROUTING, OUTPUT
 *   MARK        any table, any hook
 *   CONNMARK    any table, any hook
 *   TOS, DSCP, TTL   mangle
 *   CT, NOTRACK raw
 */

/*
 * "SNAT", "DNAT", "MASQUERADE", "REDIRECT": one range of addresses and
 * ports.  SNAT/DNAT: --to-source/--to-destination [a[-b]][:p[-q]];
 * MASQUERADE and REDIRECT: --to-ports p[-q] only.  The tool asks for a
 * protocol with ports; the NAT core ignores ports where there are none.
 */
enum moat_nat_attr {
	MOAT_A_NAT_UNSPEC,
	MOAT_A_NAT_ADDR_MIN,		/* be32 */
	MOAT_A_NAT_ADDR_MAX,		/* be32; below MIN is kept as given */
	MOAT_A_NAT_PORT_MIN,		/* u16, host order */
	MOAT_A_NAT_PORT_MAX,		/* u16, host order, >= MIN */
	MOAT_A_NAT_FLAGS,		/* u32 MOAT_NAT_F_* */

	__MOAT_A_NAT_MAX,
};
#define MOAT_A_NAT_MAX (__MOAT_A_NAT_MAX - 1)
#define MOAT_NAT_F_ADDR		0x01	/* ADDR_MIN/MAX given */
#define MOAT_NAT_F_PORTS	0x02	/* PORT_MIN/MAX given */
#define MOAT_NAT_F_RANDOM	0x04	/* --random */
#define MOAT_NAT_F_PERSISTENT	0x08	/* --persistent, SNAT/DNAT */
#define MOAT_NAT_F_RANDOM_FULLY	0x10	/* --random-fully */
#define MOAT_NAT_F_ALL		0x1f

/*
 * "MARK": skb->mark = (skb->mark & ~MASK) ^ VALUE.  In iptables' terms:
 * --set-xmark v/m: v, m; --set-mark v/m: v, v|m; --and-mark v: 0, ~v;
 * --or-mark v: v, v; --xor-mark v: v, 0.
 */
enum moat_mark_target_attr {
	MOAT_A_MARK_T_UNSPEC,
	MOAT_A_MARK_T_VALUE,		/* u32 */
	MOAT_A_MARK_T_MASK,		/* u32 */

	__MOAT_A_MARK_T_MAX,
};
#define MOAT_A_MARK_T_MAX (__MOAT_A_MARK_T_MAX - 1)

/*
 * "CONNMARK" target (xt_CONNMARK revision 2's semantics):
 *   SET:     ctmark = (ctmark & ~CTMASK) ^ CTMARK
 *   SAVE:    ctmark = (ctmark & ~CTMASK) ^ shift(mark & NFMASK)
 *   RESTORE: mark = (mark & ~NFMASK) ^ shift(ctmark & CTMASK)
 * shift: by SHIFT_BITS, left or right per SHIFT_DIR.
 */
enum moat_connmark_attr {
	MOAT_A_CONNMARK_UNSPEC,
	MOAT_A_CONNMARK_MODE,		/* u8 MOAT_CONNMARK_* */
	MOAT_A_CONNMARK_CTMARK,		/* u32 */
	MOAT_A_CONNMARK_CTMASK,		/* u32 */
	MOAT_A_CONNMARK_NFMASK,		/* u32 */
	MOAT_A_CONNMARK_SHIFT_DIR,	/* u8 MOAT_CONNMARK_SHIFT_* */
	MOAT_A_CONNMARK_SHIFT_BITS,	/* u8, 0..31 */

	__MOAT_A_CONNMARK_MAX,
};
#define MOAT_A_CONNMARK_MAX (__MOAT_A_CONNMARK_MAX - 1)
#define MOAT_CONNMARK_SET	0
#define MOAT_CONNMARK_SAVE	1
#define MOAT_CONNMARK_RESTORE	2
#define MOAT_CONNMARK_SHIFT_LEFT	0
#define MOAT_CONNMARK_SHIFT_RIGHT	1

/* The "connmark" match uses the "mark" match's attributes. */

/*
 * "TOS": tos = (tos & ~MASK) ^ VALUE.  --set-tos v/m: v, m (m defaults to
 * 0xff); --and-tos v: 0, ~v; --or-tos v: v, v; --xor-tos v: v, 0.
 */
enum moat_tos_target_attr {
	MOAT_A_TOS_T_UNSPEC,
	MOAT_A_TOS_T_VALUE,		/* u8 */
	MOAT_A_TOS_T_MASK,		/* u8 */

	__MOAT_A_TOS_T_MAX,
};
#define MOAT_A_TOS_T_MAX (__MOAT_A_TOS_T_MAX - 1)

/* "DSCP": --set-dscp v / --set-dscp-class name, the 6-bit codepoint. */
enum moat_dscp_target_attr {
	MOAT_A_DSCP_T_UNSPEC,
	MOAT_A_DSCP_T_VALUE,		/* u8, 0..63 */

	__MOAT_A_DSCP_T_MAX,
};
#define MOAT_A_DSCP_T_MAX (__MOAT_A_DSCP_T_MAX - 1)

/* "TTL": --ttl-set/--ttl-dec/--ttl-inc n (dec/inc: 1..255). */
enum moat_ttl_target_attr {
	MOAT_A_TTL_T_UNSPEC,
	MOAT_A_TTL_T_MODE,		/* u8 MOAT_TTL_* */
	MOAT_A_TTL_T_VALUE,		/* u8 */

	__MOAT_A_TTL_T_MAX,
};
#define MOAT_A_TTL_T_MAX (__MOAT_A_TTL_T_MAX - 1)
#define MOAT_TTL_SET		0
#define MOAT_TTL_INC		1
#define MOAT_TTL_DEC		2

/*
 * "CT": --notrack, or no flag (a bare -j CT: nothing changes).  "NOTRACK"
 * takes the same attributes (flags NOTRACK) and is listed as itself.
 */
enum moat_ct_target_attr {
	MOAT_A_CT_T_UNSPEC,
	MOAT_A_CT_T_FLAGS,		/* u32 MOAT_CT_T_* */

	__MOAT_A_CT_T_MAX,
};
#define MOAT_A_CT_T_MAX (__MOAT_A_CT_T_MAX - 1)
#define MOAT_CT_T_NOTRACK	0x01
#define MOAT_CT_T_ALL		0x01

/* Table and chain names, NUL included; iptables' limit. */
#define MOAT_NAME_LEN		32
/* A user chain's name, NUL excluded: what iptables -N takes. */
#define MOAT_CHAIN_NAME_MAX	28

#endif /* _UAPI_LINUX_MOAT_H */
