// SPDX-License-Identifier: GPL-2.0
/* moat: the "tcp" and "udp" matches: ports, TCP flags and options. */
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/tcp.h>
#include <net/genetlink.h>
#include "moat.h"

struct moat_ports {
	u16 spt[2], dpt[2];
	u8 flg_mask, flg_cmp, option;
	u8 inv;
};

static const struct nla_policy moat_ports_policy[MOAT_A_PORTS_MAX + 1] = {
	[MOAT_A_PORTS_SPORT_MIN] = { .type = NLA_U16 },
	[MOAT_A_PORTS_SPORT_MAX] = { .type = NLA_U16 },
	[MOAT_A_PORTS_DPORT_MIN] = { .type = NLA_U16 },
	[MOAT_A_PORTS_DPORT_MAX] = { .type = NLA_U16 },
	/* FIN to URG, the flags iptables' syntax can name. */
	[MOAT_A_PORTS_TCP_FLAGS_MASK] = NLA_POLICY_MASK(NLA_U8, 0x3f),
	[MOAT_A_PORTS_TCP_FLAGS_CMP] = NLA_POLICY_MASK(NLA_U8, 0x3f),
	[MOAT_A_PORTS_TCP_OPTION] = { .type = NLA_U8 },
	[MOAT_A_PORTS_INV] = NLA_POLICY_MASK(NLA_U32, MOAT_PORTS_INV_ALL),
};

static u16 moat_get_u16(const struct nlattr *attr, u16 dflt)
{
	return attr ? nla_get_u16(attr) : dflt;
}

static int moat_ports_parse_common(struct moat_ports *p, struct nlattr **tb,
				   struct netlink_ext_ack *extack)
{
	p->spt[0] = moat_get_u16(tb[MOAT_A_PORTS_SPORT_MIN], 0);
	p->spt[1] = moat_get_u16(tb[MOAT_A_PORTS_SPORT_MAX], 0xffff);
	p->dpt[0] = moat_get_u16(tb[MOAT_A_PORTS_DPORT_MIN], 0);
	p->dpt[1] = moat_get_u16(tb[MOAT_A_PORTS_DPORT_MAX], 0xffff);
	/* iptables' syntax has no way to write one, nor to save it. */
	if (p->spt[0] > p->spt[1] || p->dpt[0] > p->dpt[1]) {
		NL_SET_ERR_MSG(extack, "port range with its start after its end");
		return -EINVAL;
	}
	if (tb[MOAT_A_PORTS_INV])
		p->inv = nla_get_u32(tb[MOAT_A_PORTS_INV]);
	return 0;
}

static int moat_udp_parse(void *priv, struct nlattr **tb,
		     struct netlink_ext_ack *extack)
{
	struct moat_ports *p = priv;

	if (tb[MOAT_A_PORTS_TCP_FLAGS_MASK] || tb[MOAT_A_PORTS_TCP_FLAGS_CMP] ||
	    tb[MOAT_A_PORTS_TCP_OPTION] ||
	    (tb[MOAT_A_PORTS_INV] &&
	     nla_get_u32(tb[MOAT_A_PORTS_INV]) & ~(MOAT_PORTS_INV_SPORT |
						   MOAT_PORTS_INV_DPORT))) {
		NL_SET_ERR_MSG(extack, "udp has no flags or options");
		return -EINVAL;
	}
	return moat_ports_parse_common(p, tb, extack);
}

static int moat_tcp_parse(void *priv, struct nlattr **tb,
		     struct netlink_ext_ack *extack)
{
	struct moat_ports *p = priv;
	int err;

	if (tb[MOAT_A_PORTS_TCP_FLAGS_MASK])
		p->flg_mask = nla_get_u8(tb[MOAT_A_PORTS_TCP_FLAGS_MASK]);
	if (tb[MOAT_A_PORTS_TCP_FLAGS_CMP])
		p->flg_cmp = nla_get_u8(tb[MOAT_A_PORTS_TCP_FLAGS_CMP]);
	if (tb[MOAT_A_PORTS_TCP_OPTION])
		p->option = nla_get_u8(tb[MOAT_A_PORTS_TCP_OPTION]);
	err = moat_ports_parse_common(p, tb, extack);
	if (err)
		return err;
	/* Option 0 is "none": "! --tcp-option 0" cannot be written. */
	if (p->inv & MOAT_PORTS_INV_OPTION && !p->option) {
		NL_SET_ERR_MSG(extack, "tcp: an inverted --tcp-option needs an option");
		return -EINVAL;
	}
	return 0;
}

static bool moat_port_in(u16 port, const u16 range[2], bool inv)
{
	return (port >= range[0] && port <= range[1]) ^ inv;
}

static __always_inline bool moat_ports_ok(const struct moat_ports *p, __be16 sport,
			  __be16 dport)
{
	return moat_port_in(ntohs(sport), p->spt, p->inv & MOAT_PORTS_INV_SPORT) &&
	       moat_port_in(ntohs(dport), p->dpt, p->inv & MOAT_PORTS_INV_DPORT);
}

/* Whether the TCP options of @skb carry kind @option. */
static bool moat_tcp_has_option(const struct sk_buff *skb, unsigned int thoff,
				unsigned int optlen, u8 option, bool *hotdrop)
{
	u8 buf[MAX_TCP_OPTION_SPACE];
	const u8 *op;
	unsigned int i;

	if (!optlen)
		return false;
	op = skb_header_pointer(skb, thoff + sizeof(struct tcphdr), optlen, buf);
	if (!op) {
		*hotdrop = true;
		return false;
	}
	for (i = 0; i < optlen; ) {
		if (op[i] == option)
			return true;
		/* End and no-op are one byte; the rest carry a length. */
		if (op[i] < 2 || i + 1 >= optlen || op[i + 1] < 2)
			i++;
		else
			i += op[i + 1];
	}
	return false;
}

static bool moat_tcp_match(const struct sk_buff *skb, const void *priv,
			   struct moat_pkt *pkt)
{
	const struct moat_ports *p = priv;
	struct tcphdr _th;
	const struct tcphdr *th;
	u8 flags;

	if (pkt->fragoff) {
		/* A TCP header split at offset 8 bytes is an attack. */
		if (pkt->fragoff == 1)
			pkt->hotdrop = true;
		return false;
	}
	th = skb_header_pointer(skb, pkt->thoff, sizeof(_th), &_th);
	if (!th) {
		pkt->hotdrop = true;
		return false;
	}
	if (!moat_ports_ok(p, th->source, th->dest))
		return false;
	flags = ((const u8 *)th)[13];
	if (((flags & p->flg_mask) != p->flg_cmp) ^ !!(p->inv & MOAT_PORTS_INV_FLAGS))
		return false;
	if (!p->option)
		return true;
	if (th->doff * 4 < sizeof(*th)) {
		pkt->hotdrop = true;
		return false;
	}
	return moat_tcp_has_option(skb, pkt->thoff, th->doff * 4 - sizeof(*th),
				   p->option, &pkt->hotdrop) ^
	       !!(p->inv & MOAT_PORTS_INV_OPTION);
}

static bool moat_udp_match(const struct sk_buff *skb, const void *priv,
			   struct moat_pkt *pkt)
{
	struct udphdr _uh;
	const struct udphdr *uh;

	if (pkt->fragoff)
		return false;
	uh = skb_header_pointer(skb, pkt->thoff, sizeof(_uh), &_uh);
	if (!uh) {
		pkt->hotdrop = true;
		return false;
	}
	return moat_ports_ok(priv, uh->source, uh->dest);
}

static int moat_ports_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_ports *p = priv;

	if (nla_put_u16(skb, MOAT_A_PORTS_SPORT_MIN, p->spt[0]) ||
	    nla_put_u16(skb, MOAT_A_PORTS_SPORT_MAX, p->spt[1]) ||
	    nla_put_u16(skb, MOAT_A_PORTS_DPORT_MIN, p->dpt[0]) ||
	    nla_put_u16(skb, MOAT_A_PORTS_DPORT_MAX, p->dpt[1]) ||
	    (p->inv && nla_put_u32(skb, MOAT_A_PORTS_INV, p->inv)))
		return -EMSGSIZE;
	return 0;
}

static int moat_tcp_dump(struct sk_buff *skb, const void *priv)
{
	const struct moat_ports *p = priv;

	if (moat_ports_dump(skb, priv) ||
	    ((p->flg_mask || p->flg_cmp) &&
	     (nla_put_u8(skb, MOAT_A_PORTS_TCP_FLAGS_MASK, p->flg_mask) ||
	      nla_put_u8(skb, MOAT_A_PORTS_TCP_FLAGS_CMP, p->flg_cmp))) ||
	    (p->option && nla_put_u8(skb, MOAT_A_PORTS_TCP_OPTION, p->option)))
		return -EMSGSIZE;
	return 0;
}

const struct moat_match_type moat_match_tcp = {
	.name = "tcp",
	.policy = moat_ports_policy,
	.maxattr = MOAT_A_PORTS_MAX,
	.size = sizeof(struct moat_ports),
	.proto = IPPROTO_TCP,
	.parse = moat_tcp_parse,
	.match = moat_tcp_match,
	.dump = moat_tcp_dump,
};

const struct moat_match_type moat_match_udp = {
	.name = "udp",
	.policy = moat_ports_policy,
	.maxattr = MOAT_A_PORTS_MAX,
	.size = sizeof(struct moat_ports),
	.proto = IPPROTO_UDP,
	.parse = moat_udp_parse,
	.match = moat_udp_match,
	.dump = moat_ports_dump,
};

/* For the classifier: @m is a tcp or udp match on one destination port. */
bool moat_ports_dport_key(const struct moat_match *m, u16 *port)
{
	const struct moat_ports *p = (const struct moat_ports *)m->priv;

	if (m->type != &moat_match_tcp && m->type != &moat_match_udp)
		return false;
	if (p->dpt[0] != p->dpt[1] || (p->inv & MOAT_PORTS_INV_DPORT))
		return false;
	*port = p->dpt[0];
	return true;
}
