/* SPDX-License-Identifier: GPL-2.0 */
/*
 * moat: many requests per sendmsg.  A restore streams its commands without
 * waiting for each; the kernel only answers errors, which are matched back
 * to the input line that caused them.
 */
#ifndef MOAT_BATCH_H
#define MOAT_BATCH_H

#include "nl.h"

struct moat_batch {
	struct moat_nl *nl;
	char *buf;
	size_t len;
	uint32_t first_seq;		/* of the messages in lines[] */
	unsigned int *lines;		/* input line of each message */
	size_t n_lines, cap_lines;
	int err;			/* the first error, -errno */
	unsigned int err_line;
	char errmsg[256];
};

int moat_batch_init(struct moat_batch *b, struct moat_nl *nl);
void moat_batch_free(struct moat_batch *b);

/* Starts a request for input @line; sends what is queued if needed. */
struct nlmsghdr *moat_batch_request(struct moat_batch *b, uint8_t cmd,
				    unsigned int line);
/* Queues the request moat_batch_request started. */
void moat_batch_add(struct moat_batch *b, struct nlmsghdr *nlh);

/*
 * Sends everything queued, the last request with an ACK, and waits for it.
 * Returns 0, or the first error (b->err, b->err_line, b->errmsg).
 */
int moat_batch_finish(struct moat_batch *b);

#endif
