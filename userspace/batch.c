// SPDX-License-Identifier: GPL-2.0
/* moat: many requests per sendmsg, errors matched back to input lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/moat.h>
#include "batch.h"

/* Well under the default socket send buffer (212992 bytes). */
#define MOAT_BATCH_SIZE (128 * 1024)

int moat_batch_init(struct moat_batch *b, struct moat_nl *nl)
{
	memset(b, 0, sizeof(*b));
	b->nl = nl;
	b->buf = malloc(MOAT_BATCH_SIZE);
	return b->buf ? 0 : -ENOMEM;
}

void moat_batch_free(struct moat_batch *b)
{
	free(b->buf);
	free(b->lines);
	memset(b, 0, sizeof(*b));
}

static void record_error(struct moat_batch *b, const struct nlmsghdr *nlh)
{
	char msg[sizeof(b->errmsg)];
	int err = moat_nl_parse_error(nlh, msg, sizeof(msg));
	uint32_t i = nlh->nlmsg_seq - b->first_seq;

	if (!err || b->err)
		return;
	b->err = err;
	b->err_line = i < b->n_lines ? b->lines[i] : 0;
	memcpy(b->errmsg, msg, sizeof(msg));
}

/* Reads replies: until @until_seq's ACK, or with @until_seq 0 what is there. */
static int drain(struct moat_batch *b, uint32_t until_seq)
{
	char buf[8192];
	struct nlmsghdr *nlh;
	ssize_t n;
	int len;

	for (;;) {
		n = recv(mnl_socket_get_fd(b->nl->sk), buf, sizeof(buf),
			 until_seq ? 0 : MSG_DONTWAIT);
		if (n < 0)
			return (!until_seq && errno == EAGAIN) ? 0 : -errno;
		len = n;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			record_error(b, nlh);
			if (until_seq && nlh->nlmsg_seq == until_seq)
				return 0;
		}
	}
}

static int send_queued(struct moat_batch *b)
{
	if (b->nl->debug)
		mnl_nlmsg_fprintf(stderr, b->buf, b->len, 4);
	if (mnl_socket_sendto(b->nl->sk, b->buf, b->len) < 0)
		return -errno;
	b->len = 0;
	return 0;
}

struct nlmsghdr *moat_batch_request(struct moat_batch *b, uint8_t cmd,
				    unsigned int line)
{
	unsigned int *lines;
	size_t cap;

	/* Once sent, the kernel has run them all: collect their errors. */
	if (b->len + MOAT_NL_BUF > MOAT_BATCH_SIZE &&
	    (send_queued(b) || drain(b, 0)) && !b->err)
		b->err = -EIO;
	if (b->n_lines == b->cap_lines) {
		cap = b->cap_lines ? b->cap_lines * 2 : 1024;
		lines = realloc(b->lines, cap * sizeof(*lines));
		if (!lines)
			return NULL;
		b->lines = lines;
		b->cap_lines = cap;
	}
	if (!b->n_lines)
		b->first_seq = b->nl->seq + 1;
	b->lines[b->n_lines++] = line;
	return moat_nl_request(b->nl, b->buf + b->len, cmd, 0);
}

void moat_batch_add(struct moat_batch *b, struct nlmsghdr *nlh)
{
	/* No ACK: errors come anyway, successes need no answer. */
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

int moat_batch_finish(struct moat_batch *b)
{
	struct nlmsghdr *last = NULL, *nlh;
	int len = b->len;
	int err;

	for (nlh = (struct nlmsghdr *)b->buf; mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len))
		last = nlh;
	if (!last)
		return b->err;
	last->nlmsg_flags |= NLM_F_ACK;
	err = send_queued(b) ?: drain(b, last->nlmsg_seq);
	return b->err ?: err;
}
