// SPDX-License-Identifier: GPL-2.0
/* moat: a thin Generic Netlink client over libmnl. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/moat.h>
#include "nl.h"

struct extack_ctx {
	char *msg;
	size_t len;
};

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct extack_ctx *ctx = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(ctx->msg, ctx->len, "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

int moat_nl_parse_error(const struct nlmsghdr *nlh, char *msg, size_t len)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct extack_ctx ctx = { msg, len };
	unsigned int off = sizeof(*err);

	msg[0] = '\0';
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return -EBADMSG;
	if (err->error == 0)
		return 0;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* Unless capped, the error echoes our whole request first. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (mnl_nlmsg_size(off) <= nlh->nlmsg_len)
			mnl_attr_parse(nlh, off, extack_attr_cb, &ctx);
	}
	return err->error;
}

struct talk_ctx {
	struct moat_nl *nl;
	mnl_cb_t cb;
	void *data;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *ctx = data;

	return ctx->cb ? ctx->cb(nlh, ctx->data) : MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct moat_nl *nl = ((struct talk_ctx *)data)->nl;
	int err = moat_nl_parse_error(nlh, nl->errmsg, sizeof(nl->errmsg));

	if (err == 0)
		return MNL_CB_STOP;
	errno = -err;
	return MNL_CB_ERROR;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

/* A dump that fails at its start ends in a DONE carrying the error. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct moat_nl *nl = ((struct talk_ctx *)data)->nl;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err >= 0)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		struct extack_ctx ctx = { nl->errmsg, sizeof(nl->errmsg) };

		mnl_attr_parse(nlh, sizeof(err), extack_attr_cb, &ctx);
	}
	errno = -err;
	return MNL_CB_ERROR;
}

static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = noop_cb,
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
};

int moat_nl_talk(struct moat_nl *nl, struct nlmsghdr *req, mnl_cb_t cb,
		 void *data)
{
	struct talk_ctx ctx = { nl, cb, data };
	char buf[32768];	/* room for a full dump skb */
	uint32_t seq = req->nlmsg_seq;
	ssize_t n;
	int ret;

	nl->errmsg[0] = '\0';
	if (nl->debug)
		mnl_nlmsg_fprintf(stderr, req, req->nlmsg_len, GENL_HDRLEN);
	if (mnl_socket_sendto(nl->sk, req, req->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		if (nl->debug)
			mnl_nlmsg_fprintf(stderr, buf, n, GENL_HDRLEN);
		ret = mnl_cb_run2(buf, n, seq, nl->portid, data_cb, &ctx,
				  ctl_cbs, NLMSG_MIN_TYPE);
	} while (ret == MNL_CB_OK);
	return ret < 0 ? -errno : 0;
}

struct nlmsghdr *moat_nl_request(struct moat_nl *nl, void *buf, uint8_t cmd,
				 uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = nl->family;
	/* A dump ends with NLMSG_DONE; an ACK after it would be stale. */
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	if (!(flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = MOAT_GENL_VERSION;
	return nlh;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	uint16_t *family = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		*family = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, GENL_HDRLEN, family_attr_cb, data);
	return MNL_CB_OK;
}

static int resolve_family(struct moat_nl *nl)
{
	char buf[MOAT_NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;
	uint16_t family = 0;
	int err;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, MOAT_GENL_NAME);
	err = moat_nl_talk(nl, nlh, family_cb, &family);
	if (err)
		return err;
	if (!family)
		return -EPROTO;
	nl->family = family;
	return 0;
}

int moat_nl_open(struct moat_nl *nl)
{
	int one = 1;
	int err;

	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sk)
		return -errno;
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err_close;
	/* Best effort: without extended ACKs we still get the errno. */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	/* Errors need not echo the request: a restore may get hundreds. */
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = time(NULL);
	err = resolve_family(nl);
	if (err) {
		moat_nl_close(nl);
		return err;
	}
	return 0;

err_close:
	err = -errno;
	moat_nl_close(nl);
	return err;
}

void moat_nl_close(struct moat_nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	nl->sk = NULL;
}
