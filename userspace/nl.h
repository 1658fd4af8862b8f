/* SPDX-License-Identifier: GPL-2.0 */
/* moat: a thin Generic Netlink client over libmnl. */
#ifndef MOAT_NL_H
#define MOAT_NL_H

#include <stdint.h>
#include <libmnl/libmnl.h>

/* Room for one request; the module's replies fit in NLMSG_GOODSIZE. */
#define MOAT_NL_BUF 8192

struct moat_nl {
	struct mnl_socket *sk;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	char errmsg[256];	/* the kernel's extack message, if any */
	int debug;		/* dump every message to stderr */
};

/* Opens a socket and resolves the moat family. Returns 0 or -errno. */
int moat_nl_open(struct moat_nl *nl);
void moat_nl_close(struct moat_nl *nl);

/* Starts a moat request in @buf (MOAT_NL_BUF bytes). */
struct nlmsghdr *moat_nl_request(struct moat_nl *nl, void *buf, uint8_t cmd,
				 uint16_t flags);

/*
 * Sends @req and runs @cb on every reply until the ACK or DONE.
 * Returns 0 or -errno; on a kernel error nl->errmsg holds its message.
 */
int moat_nl_talk(struct moat_nl *nl, struct nlmsghdr *req, mnl_cb_t cb,
		 void *data);

/* Handles an NLMSG_ERROR: stores the extack message, returns -errno or 0. */
int moat_nl_parse_error(const struct nlmsghdr *nlh, char *msg, size_t len);

#endif
