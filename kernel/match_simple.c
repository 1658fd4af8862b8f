// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the small stateless matches, each a few lines over the IP header
 * or the skb: "mark", "comment", "length", "ttl", "tos", "dscp", "mac".
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <net/dsfield.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include "moat.h"

/* --- mark: (skb->mark & mask) == value ---------------------------------- */

struct moat_mark {
	u32 value, mask;
	bool inv;
};

static const struct nla_policy moat_mark_policy[MOAT_A_MARK_MAX + 1] = {
	[MOAT_A_MARK_VALUE] = { .type = NLA_U32 },
	[MOAT_A_MARK_MASK] = { .type = NLA_U32 },
	[MOAT_A_MARK_INV] = { .type = NLA_FLAG },
};

static int moat_mark_parse(void *priv, struct nlattr **tb,
			   struct netlink_ext_ack *extack)
{
	struct moat_mark *mk = priv;

	mk->value = tb[MOAT_A_MARK_VALUE] ? nla_get_u32(tb[MOAT_A_MARK_VALUE]) : 0;
	mk->mask = tb[MOAT_A_MARK_MASK] ? nla_get_u32(tb[MOAT_A_MARK_MASK]) : ~0u;
	mk->inv = nla_get_flag(tb[MOAT_A_MARK_INV]);
	return 0;
}

static bool moat_mark_match(const struct sk_buff *skb, const void *priv,
			    struct moat_pkt *pkt)
{
	const struct moat_mark *mk = priv;

	return ((skb->mark & mk->mask) == mk->value) ^ mk->inv;
}

static int moat_mark_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_mark *mk = priv;

	if (nla_put_u32(skb, MOAT_A_MARK_VALUE, mk->value) ||
	    nla_put_u32(skb, MOAT_A_MARK_MASK, mk->mask) ||
	    (mk->inv && nla_put_flag(skb, MOAT_A_MARK_INV)))
		return -EMSGSIZE;
	return 0;
}

const struct moat_match_type moat_match_mark = {
	.name = "mark",
	.policy = moat_mark_policy,
	.maxattr = MOAT_A_MARK_MAX,
	.size = sizeof(struct moat_mark),
	.parse = moat_mark_parse,
	.match = moat_mark_match,
	.dump = moat_mark_dump,
};

/* --- comment: matches everything, says something ---------------------- */

struct moat_comment {
	char text[MOAT_COMMENT_LEN];
};

static const struct nla_policy moat_comment_policy[MOAT_A_COMMENT_MAX + 1] = {
	[MOAT_A_COMMENT_TEXT] = { .type = NLA_NUL_STRING,
				  .len = MOAT_COMMENT_LEN - 1 },
};

static int moat_comment_parse(void *priv, struct nlattr **tb,
			      struct netlink_ext_ack *extack)
{
	struct moat_comment *c = priv;

	if (tb[MOAT_A_COMMENT_TEXT])
		nla_strscpy(c->text, tb[MOAT_A_COMMENT_TEXT], sizeof(c->text));
	return 0;
}

static bool moat_comment_match(const struct sk_buff *skb, const void *priv,
			       struct moat_pkt *pkt)
{
	return true;
}

static int moat_comment_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_comment *c = priv;

	return nla_put_string(skb, MOAT_A_COMMENT_TEXT, c->text);
}

const struct moat_match_type moat_match_comment = {
	.name = "comment",
	.policy = moat_comment_policy,
	.maxattr = MOAT_A_COMMENT_MAX,
	.size = sizeof(struct moat_comment),
	.parse = moat_comment_parse,
	.match = moat_comment_match,
	.dump = moat_comment_dump,
};

/* --- length: of the whole IP packet ------------------------------------ */

struct moat_length {
	u16 min, max;
	bool inv;
};

static const struct nla_policy moat_length_policy[MOAT_A_LENGTH_MAX + 1] = {
	[MOAT_A_LENGTH_MIN] = { .type = NLA_U16 },
	[MOAT_A_LENGTH_MAXLEN] = { .type = NLA_U16 },
	[MOAT_A_LENGTH_INV] = { .type = NLA_FLAG },
};

static int moat_length_parse(void *priv, struct nlattr **tb,
			     struct netlink_ext_ack *extack)
{
	struct moat_length *l = priv;

	l->min = tb[MOAT_A_LENGTH_MIN] ? nla_get_u16(tb[MOAT_A_LENGTH_MIN]) : 0;
	l->max = tb[MOAT_A_LENGTH_MAXLEN] ? nla_get_u16(tb[MOAT_A_LENGTH_MAXLEN]) :
					 0xffff;
	l->inv = nla_get_flag(tb[MOAT_A_LENGTH_INV]);
	return 0;
}

static bool moat_length_match(const struct sk_buff *skb, const void *priv,
			      struct moat_pkt *pkt)
{
	const struct moat_length *l = priv;
	u16 len = ntohs(ip_hdr(skb)->tot_len);

	return (len >= l->min && len <= l->max) ^ l->inv;
}

static int moat_length_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_length *l = priv;

	if (nla_put_u16(skb, MOAT_A_LENGTH_MIN, l->min) ||
	    nla_put_u16(skb, MOAT_A_LENGTH_MAXLEN, l->max) ||
	    (l->inv && nla_put_flag(skb, MOAT_A_LENGTH_INV)))
		return -EMSGSIZE;
	return 0;
}

const struct moat_match_type moat_match_length = {
	.name = "length",
	.policy = moat_length_policy,
	.maxattr = MOAT_A_LENGTH_MAX,
	.size = sizeof(struct moat_length),
	.parse = moat_length_parse,
	.match = moat_length_match,
	.dump = moat_length_dump,
};

/* --- ttl: ==, !=, <, > ------------------------------------------------- */

struct moat_ttl {
	u8 mode, value;
};

static const struct nla_policy moat_ttl_policy[MOAT_A_TTL_MAX + 1] = {
	[MOAT_A_TTL_MODE] = NLA_POLICY_MAX(NLA_U8, MOAT_TTL_GT),
	[MOAT_A_TTL_VALUE] = { .type = NLA_U8 },
};

static int moat_ttl_parse(void *priv, struct nlattr **tb,
			  struct netlink_ext_ack *extack)
{
	struct moat_ttl *t = priv;

	if (!tb[MOAT_A_TTL_MODE] || !tb[MOAT_A_TTL_VALUE]) {
		NL_SET_ERR_MSG(extack, "ttl needs a mode and a value");
		return -EINVAL;
	}
	t->mode = nla_get_u8(tb[MOAT_A_TTL_MODE]);
	t->value = nla_get_u8(tb[MOAT_A_TTL_VALUE]);
	return 0;
}

static bool moat_ttl_match(const struct sk_buff *skb, const void *priv,
			   struct moat_pkt *pkt)
{
	const struct moat_ttl *t = priv;
	u8 ttl = ip_hdr(skb)->ttl;

	switch (t->mode) {
	case MOAT_TTL_EQ:
		return ttl == t->value;
	case MOAT_TTL_NE:
		return ttl != t->value;
	case MOAT_TTL_LT:
		return ttl < t->value;
	default:
		return ttl > t->value;
	}
}

static int moat_ttl_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_ttl *t = priv;

	if (nla_put_u8(skb, MOAT_A_TTL_MODE, t->mode) ||
	    nla_put_u8(skb, MOAT_A_TTL_VALUE, t->value))
		return -EMSGSIZE;
	return 0;
}

const struct moat_match_type moat_match_ttl = {
	.name = "ttl",
	.policy = moat_ttl_policy,
	.maxattr = MOAT_A_TTL_MAX,
	.size = sizeof(struct moat_ttl),
	.parse = moat_ttl_parse,
	.match = moat_ttl_match,
	.dump = moat_ttl_dump,
};

/* --- tos: (tos & mask) == value; dscp: tos >> 2 == value --------------- */

struct moat_tos {
	u8 value, mask;
	bool inv;
};

static const struct nla_policy moat_tos_policy[MOAT_A_TOS_MAX + 1] = {
	[MOAT_A_TOS_VALUE] = { .type = NLA_U8 },
	[MOAT_A_TOS_MASK] = { .type = NLA_U8 },
	[MOAT_A_TOS_INV] = { .type = NLA_FLAG },
};

static int moat_tos_parse(void *priv, struct nlattr **tb,
			  struct netlink_ext_ack *extack)
{
	struct moat_tos *t = priv;

	t->value = tb[MOAT_A_TOS_VALUE] ? nla_get_u8(tb[MOAT_A_TOS_VALUE]) : 0;
	t->mask = tb[MOAT_A_TOS_MASK] ? nla_get_u8(tb[MOAT_A_TOS_MASK]) : 0xff;
	t->inv = nla_get_flag(tb[MOAT_A_TOS_INV]);
	return 0;
}

static int moat_dscp_parse(void *priv, struct nlattr **tb,
			   struct netlink_ext_ack *extack)
{
	struct moat_tos *t = priv;

	if (tb[MOAT_A_TOS_MASK] ||
	    (tb[MOAT_A_TOS_VALUE] && nla_get_u8(tb[MOAT_A_TOS_VALUE]) > 0x3f)) {
		NL_SET_ERR_MSG(extack, "dscp is a value of 0 to 63, without a mask");
		return -EINVAL;
	}
	t->value = tb[MOAT_A_TOS_VALUE] ? nla_get_u8(tb[MOAT_A_TOS_VALUE]) : 0;
	t->inv = nla_get_flag(tb[MOAT_A_TOS_INV]);
	return 0;
}

static bool moat_tos_match(const struct sk_buff *skb, const void *priv,
			   struct moat_pkt *pkt)
{
	const struct moat_tos *t = priv;

	return ((ip_hdr(skb)->tos & t->mask) == t->value) ^ t->inv;
}

static bool moat_dscp_match(const struct sk_buff *skb, const void *priv,
			    struct moat_pkt *pkt)
{
	const struct moat_tos *t = priv;

	return ((ipv4_get_dsfield(ip_hdr(skb)) >> 2) == t->value) ^ t->inv;
}

static int moat_tos_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_tos *t = priv;

	if (nla_put_u8(skb, MOAT_A_TOS_VALUE, t->value) ||
	    nla_put_u8(skb, MOAT_A_TOS_MASK, t->mask) ||
	    (t->inv && nla_put_flag(skb, MOAT_A_TOS_INV)))
		return -EMSGSIZE;
	return 0;
}

static int moat_dscp_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_tos *t = priv;

	if (nla_put_u8(skb, MOAT_A_TOS_VALUE, t->value) ||
	    (t->inv && nla_put_flag(skb, MOAT_A_TOS_INV)))
		return -EMSGSIZE;
	return 0;
}

const struct moat_match_type moat_match_tos = {
	.name = "tos",
	.policy = moat_tos_policy,
	.maxattr = MOAT_A_TOS_MAX,
	.size = sizeof(struct moat_tos),
	.parse = moat_tos_parse,
	.match = moat_tos_match,
	.dump = moat_tos_dump,
};

const struct moat_match_type moat_match_dscp = {
	.name = "dscp",
	.policy = moat_tos_policy,
	.maxattr = MOAT_A_TOS_MAX,
	.size = sizeof(struct moat_tos),
	.parse = moat_dscp_parse,
	.match = moat_dscp_match,
	.dump = moat_dscp_dump,
};

/* --- mac: the Ethernet source of a received frame ---------------------- */

struct moat_mac {
	u8 addr[ETH_ALEN];
	bool inv;
};

static const struct nla_policy moat_mac_policy[MOAT_A_MAC_MAX + 1] = {
	[MOAT_A_MAC_ADDR] = NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[MOAT_A_MAC_INV] = { .type = NLA_FLAG },
};

static int moat_mac_parse(void *priv, struct nlattr **tb,
			  struct netlink_ext_ack *extack)
{
	struct moat_mac *m = priv;

	if (!tb[MOAT_A_MAC_ADDR]) {
		NL_SET_ERR_MSG(extack, "mac needs an address");
		return -EINVAL;
	}
	memcpy(m->addr, nla_data(tb[MOAT_A_MAC_ADDR]), ETH_ALEN);
	m->inv = nla_get_flag(tb[MOAT_A_MAC_INV]);
	return 0;
}

/* As xt_mac: no Ethernet header (OUTPUT, tunnels) matches nothing. */
static bool moat_mac_match(const struct sk_buff *skb, const void *priv,
			   struct moat_pkt *pkt)
{
	const struct moat_mac *m = priv;

	if (!skb->dev || skb->dev->type != ARPHRD_ETHER ||
	    !skb_mac_header_was_set(skb) ||
	    skb_mac_header(skb) < skb->head ||
	    skb_mac_header(skb) + ETH_HLEN > skb->data)
		return false;
	return ether_addr_equal(eth_hdr(skb)->h_source, m->addr) ^ m->inv;
}

static int moat_mac_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_mac *m = priv;

	if (nla_put(skb, MOAT_A_MAC_ADDR, ETH_ALEN, m->addr) ||
	    (m->inv && nla_put_flag(skb, MOAT_A_MAC_INV)))
		return -EMSGSIZE;
	return 0;
}

const struct moat_match_type moat_match_mac = {
	.name = "mac",
	.policy = moat_mac_policy,
	.maxattr = MOAT_A_MAC_MAX,
	.size = sizeof(struct moat_mac),
	.parse = moat_mac_parse,
	.match = moat_mac_match,
	.dump = moat_mac_dump,
};
