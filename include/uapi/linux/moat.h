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
 *       MOAT_A_TARGET_JUMP / MOAT_A_TARGET_GOTO string user chain
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

/* Table and chain names, NUL included; iptables' limit. */
#define MOAT_NAME_LEN		32

#endif /* _UAPI_LINUX_MOAT_H */
