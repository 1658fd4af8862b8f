// SPDX-License-Identifier: GPL-2.0
/*
 * moat: "moat -M", the connection tracking table of this namespace.  The
 * kernel's ctnetlink (NETLINK_NETFILTER, subsystem CTNETLINK) dumps it;
 * the kernel loads nf_conntrack_netlink on the first request.  Lines are
 * conntrack-tools' (conntrack -L), so that what people grep for is there:
 *
 *   tcp      6 117 TIME_WAIT src=.. dst=.. sport=.. dport=.. src=.. dst=..
 *   sport=.. dport=.. [ASSURED] [SNAT] mark=0 use=1
 *
 * plus [SNAT] and [DNAT] from the connection's NAT status bits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include "conntrack.h"
#include "prog.h"

/* Runs @cb on every attribute of a nest; stops at the first error. */
static int each_nested(const struct nlattr *nest,
		       int (*cb)(const struct nlattr *a, void *data),
		       void *data)
{
	const struct nlattr *a;
	int err;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EINVAL;
	mnl_attr_for_each_nested(a, nest) {
		err = cb(a, data);
		if (err)
			return err;
	}
	return 0;
}

static int get_u8(const struct nlattr *a, uint8_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return -EINVAL;
	*v = mnl_attr_get_u8(a);
	return 0;
}

static int get_be16(const struct nlattr *a, uint16_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return -EINVAL;
	*v = ntohs(mnl_attr_get_u16(a));
	return 0;
}

static int get_be32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return -EINVAL;
	*v = ntohl(mnl_attr_get_u32(a));
	return 0;
}

static int get_be64(const struct nlattr *a, uint64_t *v)
{
	uint64_t raw;

	if (mnl_attr_get_payload_len(a) != sizeof(raw))
		return -EINVAL;
	memcpy(&raw, mnl_attr_get_payload(a), sizeof(raw));
	*v = be64toh(raw);
	return 0;
}

static int ip_attr(const struct nlattr *a, void *data)
{
	struct moat_ct_tuple *t = data;

	switch (mnl_attr_get_type(a)) {
	case CTA_IP_V4_SRC:
	case CTA_IP_V4_DST:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return -EINVAL;
		*(mnl_attr_get_type(a) == CTA_IP_V4_SRC ? &t->src : &t->dst) =
			mnl_attr_get_u32(a);
	}
	return 0;
}

static int proto_attr(const struct nlattr *a, void *data)
{
	struct moat_ct_tuple *t = data;

	switch (mnl_attr_get_type(a)) {
	case CTA_PROTO_NUM:
		return get_u8(a, &t->proto);
	case CTA_PROTO_SRC_PORT:
		return get_be16(a, &t->sport);
	case CTA_PROTO_DST_PORT:
		return get_be16(a, &t->dport);
	case CTA_PROTO_ICMP_ID:
		return get_be16(a, &t->icmp_id);
	case CTA_PROTO_ICMP_TYPE:
		return get_u8(a, &t->icmp_type);
	case CTA_PROTO_ICMP_CODE:
		return get_u8(a, &t->icmp_code);
	}
	return 0;
}

static int tuple_attr(const struct nlattr *a, void *data)
{
	switch (mnl_attr_get_type(a)) {
	case CTA_TUPLE_IP:
		return each_nested(a, ip_attr, data);
	case CTA_TUPLE_PROTO:
		return each_nested(a, proto_attr, data);
	}
	return 0;
}

static int tcp_attr(const struct nlattr *a, void *data)
{
	struct moat_ct_entry *e = data;

	if (mnl_attr_get_type(a) != CTA_PROTOINFO_TCP_STATE)
		return 0;
	e->has |= MOAT_CT_HAS_TCP_STATE;
	return get_u8(a, &e->tcp_state);
}

static int protoinfo_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTA_PROTOINFO_TCP)
		return each_nested(a, tcp_attr, data);
	return 0;
}

struct counters {
	uint64_t *packets, *bytes;
};

static int counters_attr(const struct nlattr *a, void *data)
{
	struct counters *c = data;

	switch (mnl_attr_get_type(a)) {
	case CTA_COUNTERS_PACKETS:
		return get_be64(a, c->packets);
	case CTA_COUNTERS_BYTES:
		return get_be64(a, c->bytes);
	}
	return 0;
}

static int counters(const struct nlattr *a, struct moat_ct_entry *e, int dir)
{
	struct counters c = { &e->packets[dir], &e->bytes[dir] };

	e->has |= MOAT_CT_HAS_COUNTERS;
	return each_nested(a, counters_attr, &c);
}

/* A be32 attribute that sets a MOAT_CT_HAS_* bit. */
static int field(const struct nlattr *a, struct moat_ct_entry *e,
		 unsigned int bit, uint32_t *v)
{
	e->has |= bit;
	return get_be32(a, v);
}

static int ct_attr(const struct nlattr *a, void *data)
{
	struct moat_ct_entry *e = data;

	switch (mnl_attr_get_type(a)) {
	case CTA_TUPLE_ORIG:
		return each_nested(a, tuple_attr, &e->orig);
	case CTA_TUPLE_REPLY:
		return each_nested(a, tuple_attr, &e->reply);
	case CTA_STATUS:
		return field(a, e, MOAT_CT_HAS_STATUS, &e->status);
	case CTA_TIMEOUT:
		return field(a, e, MOAT_CT_HAS_TIMEOUT, &e->timeout);
	case CTA_MARK:
		return field(a, e, MOAT_CT_HAS_MARK, &e->mark);
	case CTA_USE:
		return field(a, e, MOAT_CT_HAS_USE, &e->use);
	case CTA_ZONE:
		e->has |= MOAT_CT_HAS_ZONE;
		return get_be16(a, &e->zone);
	case CTA_PROTOINFO:
		return each_nested(a, protoinfo_attr, e);
	case CTA_COUNTERS_ORIG:
		return counters(a, e, 0);
	case CTA_COUNTERS_REPLY:
		return counters(a, e, 1);
	}
	return 0;	/* from a newer kernel, or not shown */
}

int moat_ct_decode(const struct nlmsghdr *nlh, struct moat_ct_entry *e)
{
	const struct nlattr *a;
	int err;

	memset(e, 0, sizeof(*e));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nfgenmsg))
		return -EINVAL;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		err = ct_attr(a, e);
		if (err)
			return err;
	}
	return 0;
}

/* conntrack-tools' names, and "unknown" for the rest. */
static const char *l4_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_DCCP:
		return "dccp";
	case IPPROTO_UDPLITE:
		return "udplite";
	case IPPROTO_GRE:
		return "gre";
	}
	return "unknown";
}

static const char *tcp_state(uint8_t state)
{
	static const char *const states[] = {
		"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
		"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
	};

	return state < sizeof(states) / sizeof(states[0]) ? states[state] :
							     "UNKNOWN";
}

static void print_tuple(FILE *f, const struct moat_ct_tuple *t)
{
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &t->src, src, sizeof(src));
	inet_ntop(AF_INET, &t->dst, dst, sizeof(dst));
	fprintf(f, " src=%s dst=%s", src, dst);
	switch (t->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
	case IPPROTO_UDPLITE:
		fprintf(f, " sport=%u dport=%u", t->sport, t->dport);
		break;
	case IPPROTO_ICMP:
		fprintf(f, " type=%u code=%u id=%u", t->icmp_type,
			t->icmp_code, t->icmp_id);
		break;
	}
}

static void print_counters(FILE *f, const struct moat_ct_entry *e, int dir)
{
	if (e->has & MOAT_CT_HAS_COUNTERS)
		fprintf(f, " packets=%llu bytes=%llu",
			(unsigned long long)e->packets[dir],
			(unsigned long long)e->bytes[dir]);
}

void moat_ct_print(FILE *f, const struct moat_ct_entry *e)
{
	bool status = e->has & MOAT_CT_HAS_STATUS;

	fprintf(f, "%-8s %u", l4_name(e->orig.proto), e->orig.proto);
	if (e->has & MOAT_CT_HAS_TIMEOUT)
		fprintf(f, " %u", e->timeout);
	if (e->has & MOAT_CT_HAS_TCP_STATE)
		fprintf(f, " %s", tcp_state(e->tcp_state));
	print_tuple(f, &e->orig);
	print_counters(f, e, 0);
	if (status && !(e->status & IPS_SEEN_REPLY))
		fputs(" [UNREPLIED]", f);
	print_tuple(f, &e->reply);
	print_counters(f, e, 1);
	if (status && (e->status & IPS_OFFLOAD))
		fputs(" [OFFLOAD]", f);
	if (status && (e->status & IPS_ASSURED))
		fputs(" [ASSURED]", f);
	/* moat's own: which NAT the connection went through. */
	if (status && (e->status & IPS_SRC_NAT))
		fputs(" [SNAT]", f);
	if (status && (e->status & IPS_DST_NAT))
		fputs(" [DNAT]", f);
	if (e->has & MOAT_CT_HAS_MARK)
		fprintf(f, " mark=%u", e->mark);
	if ((e->has & MOAT_CT_HAS_ZONE) && e->zone)
		fprintf(f, " zone=%u", e->zone);
	if (e->has & MOAT_CT_HAS_USE)
		fprintf(f, " use=%u", e->use);
	fputc('\n', f);
}

/*
 * The dump.
 */

struct dump {
	unsigned int shown;
	int err;
};

static int entry_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct moat_ct_entry e;

	if (NFNL_MSG_TYPE(nlh->nlmsg_type) != IPCTNL_MSG_CT_NEW)
		return MNL_CB_OK;
	if (moat_ct_decode(nlh, &e)) {
		d->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	moat_ct_print(stdout, &e);
	d->shown++;
	return MNL_CB_OK;
}

static int dump(struct mnl_socket *sk, struct dump *d)
{
	char buf[32768];	/* room for a full dump skb */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	uint32_t portid = mnl_socket_get_portid(sk), seq = time(NULL);
	ssize_t n;
	int ret;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(sk, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, n, seq, portid, entry_cb, d);
	} while (ret == MNL_CB_OK);
	if (ret < 0)
		return d->err ? d->err : -errno;
	return 0;
}

static int list_connections(void)
{
	struct mnl_socket *sk = mnl_socket_open(NETLINK_NETFILTER);
	struct dump d = { 0, 0 };
	int err;

	if (!sk) {
		err = -errno;
		if (err == -EPROTONOSUPPORT)
			moat_die(MOAT_VERSION_PROBLEM,
				 "conntrack: this kernel has no nfnetlink "
				 "(CONFIG_NETFILTER_NETLINK)");
		moat_die(MOAT_OTHER_PROBLEM, "conntrack: netlink socket: %s",
			 strerror(-err));
	}
	err = mnl_socket_bind(sk, 0, MNL_SOCKET_AUTOPID) < 0 ? -errno :
								dump(sk, &d);
	mnl_socket_close(sk);
	if (err == -EPERM || err == -EACCES)
		moat_die(MOAT_VERSION_PROBLEM,
			 "conntrack: Permission denied (you must be root)");
	/* nfnetlink's answer when no one serves the subsystem. */
	if (err == -EINVAL || err == -EOPNOTSUPP || err == -ENOENT)
		moat_die(MOAT_VERSION_PROBLEM,
			 "conntrack: the kernel does not list connections: "
			 "nf_conntrack_netlink is missing (%s)", strerror(-err));
	if (err)
		moat_die(MOAT_OTHER_PROBLEM, "conntrack: %s", strerror(-err));
	fprintf(stderr, "%s: %u flow entries have been shown.\n",
		moat_self->name, d.shown);
	return 0;
}

int moat_conntrack_main(int argc, char **argv)
{
	int i;

	/* argv[1] is -M or --conntrack; -L is the only (default) command. */
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-L") && strcmp(argv[i], "--list") &&
		    strcmp(argv[i], "-n") && strcmp(argv[i], "--numeric"))
			moat_param_die("unknown option \"%s\" after -M (it takes -L and -n)",
				       argv[i]);
	}
	return list_connections();
}
