// SPDX-License-Identifier: GPL-2.0
/*
 * A fake moat module behind libmnl's socket calls (linked with
 * -Wl,--wrap=mnl_socket_open,... and --wrap=recv, see fuzz.h).
 *
 * Every request the tool sends is checked as the module's policies would
 * parse it (exact lengths, NUL-terminated names that fit, nests flagged
 * NLA_F_NESTED with no bytes left over, no attribute past a set's last),
 * and the transaction protocol of the ABI header must hold: changes on the
 * table a transaction began, one transaction at a time, and (a restore, a
 * command of several rules) changes only inside BEGIN .. COMMIT/ABORT.  A
 * breach is a fuzzing failure.
 *
 * Answers: the family id, an empty GET_INFO, dumps of no chains, ENOENT
 * for GET_CHAIN, an ACK for the rest when asked for one; the request
 * fake_kernel_reset() names fails with EINVAL and an extended-ACK message,
 * and the rest of its transaction with ECANCELED, as in the module.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/moat.h>
#include "fuzz.h"

#define FAKE_FAMILY	0x42
#define MAX_SOCKS	8
#define MAX_QUEUE	4096
/* The module's rule.c: slots for a match's or a target's attributes. */
#define EXT_MAXATTR	15

struct reply {
	struct reply *next;
	size_t len;
	char data[];
};

struct fake_sock {
	bool used;
	int fd;
	uint32_t portid;
	struct reply *head, **tail;
	size_t queued;
	bool overrun;			/* replies dropped: ENOBUFS once */
	char txn[MOAT_NAME_LEN];	/* the table of its open transaction */
	bool txn_failed;
};

static struct fake_sock socks[MAX_SOCKS];
static unsigned int requests, fail_at;
static bool refused;		/* the fail_at'th request came and failed */
static bool txn_only;		/* changes only inside a transaction */

static void queue_drop(struct fake_sock *s)
{
	struct reply *r;

	while ((r = s->head)) {
		s->head = r->next;
		free(r);
	}
	s->tail = &s->head;
	s->queued = 0;
	s->overrun = false;
}

void fake_kernel_exit(void)
{
	int i;

	for (i = 0; i < MAX_SOCKS; i++) {
		if (!socks[i].used)
			continue;
		queue_drop(&socks[i]);
		close(socks[i].fd);
		socks[i].used = false;
	}
}

void fake_kernel_reset(unsigned int fail, bool in_txn)
{
	fake_kernel_exit();
	requests = 0;
	fail_at = fail;
	refused = false;
	txn_only = in_txn;
}

bool fake_kernel_refused(void)
{
	return refused;
}

static struct fake_sock *by_fd(int fd)
{
	int i;

	for (i = 0; i < MAX_SOCKS; i++)
		if (socks[i].used && socks[i].fd == fd)
			return &socks[i];
	return NULL;
}

/* --- libmnl's socket calls, faked ---------------------------------------- */

struct mnl_socket *__wrap_mnl_socket_open(int bus)
{
	int i;

	if (bus != NETLINK_GENERIC) {
		errno = EPROTONOSUPPORT;
		return NULL;
	}
	for (i = 0; i < MAX_SOCKS && socks[i].used; i++)
		;
	if (i == MAX_SOCKS)
		fuzz_fail("the tool opened more than %d netlink sockets", MAX_SOCKS);
	/* A real descriptor, so that nothing else can have its number. */
	socks[i].fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (socks[i].fd < 0)
		fuzz_fail("open /dev/null: %m");
	socks[i].used = true;
	socks[i].portid = 1000 + i;
	socks[i].head = NULL;
	socks[i].tail = &socks[i].head;
	socks[i].queued = 0;
	socks[i].overrun = false;
	socks[i].txn[0] = '\0';
	return (struct mnl_socket *)&socks[i];
}

int __wrap_mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid)
{
	(void)nl;
	(void)groups;
	(void)pid;
	return 0;
}

int __wrap_mnl_socket_setsockopt(const struct mnl_socket *nl, int type,
				 void *buf, socklen_t len)
{
	(void)nl;
	(void)type;
	(void)buf;
	(void)len;
	return 0;
}

unsigned int __wrap_mnl_socket_get_portid(const struct mnl_socket *nl)
{
	return ((const struct fake_sock *)nl)->portid;
}

int __wrap_mnl_socket_get_fd(const struct mnl_socket *nl)
{
	return ((const struct fake_sock *)nl)->fd;
}

int __wrap_mnl_socket_close(struct mnl_socket *nl)
{
	struct fake_sock *s = (struct fake_sock *)nl;

	queue_drop(s);
	close(s->fd);
	s->used = false;
	return 0;
}

static ssize_t deliver(struct fake_sock *s, void *buf, size_t len, bool block)
{
	struct reply *r = s->head;
	size_t n;

	if (s->overrun) {
		s->overrun = false;
		errno = ENOBUFS;
		return -1;
	}
	if (!r) {
		if (block)
			fuzz_fail("the tool waits for an answer the module would never send");
		errno = EAGAIN;
		return -1;
	}
	n = r->len < len ? r->len : len;
	memcpy(buf, r->data, n);
	s->head = r->next;
	if (!s->head)
		s->tail = &s->head;
	s->queued--;
	free(r);
	return n;
}

ssize_t __real_recv(int fd, void *buf, size_t len, int flags);

ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags)
{
	struct fake_sock *s = by_fd(fd);

	if (!s)
		return __real_recv(fd, buf, len, flags);
	return deliver(s, buf, len, !(flags & MSG_DONTWAIT));
}

ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf,
				   size_t len)
{
	return deliver((struct fake_sock *)nl, buf, len, true);
}

/* --- answers ------------------------------------------------------------- */

static void reply(struct fake_sock *s, const struct nlmsghdr *nlh)
{
	struct reply *r;

	if (s->queued == MAX_QUEUE) {
		s->overrun = true;
		return;
	}
	r = malloc(sizeof(*r) + nlh->nlmsg_len);
	if (!r)
		fuzz_fail("out of memory");
	r->next = NULL;
	r->len = nlh->nlmsg_len;
	memcpy(r->data, nlh, nlh->nlmsg_len);
	*s->tail = r;
	s->tail = &r->next;
	s->queued++;
}

/* NLMSG_ERROR for @req: an ACK for @err 0, else the error and @msg. */
static void answer(struct fake_sock *s, const struct nlmsghdr *req, int err,
		   const char *msg)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;

	if (!err && !(req->nlmsg_flags & NLM_F_ACK))
		return;
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = s->portid;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = err;
	e->msg = *req;
	if (err && msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	}
	reply(s, nlh);
}

static struct nlmsghdr *reply_start(char *buf, const struct nlmsghdr *req,
				    uint16_t type, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = req->nlmsg_seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = MOAT_GENL_VERSION;
	return nlh;
}

static void done(struct fake_sock *s, const struct nlmsghdr *req)
{
	char buf[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int *err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = req->nlmsg_seq;
	*err = 0;
	reply(s, nlh);
}

/* --- what the module's policies would say -------------------------------- */

/* Walks the attributes in [@p, @p + @len): every one whole, nothing left. */
#define for_each_attr(a, p, len)						\
	for (a = (const struct nlattr *)(p);					\
	     (const char *)a < (const char *)(p) + (len);			\
	     a = (const struct nlattr *)((const char *)a + MNL_ALIGN(a->nla_len)))

static const void *payload(const struct nlattr *a)
{
	return (const char *)a + MNL_ATTR_HDRLEN;
}

static size_t plen(const struct nlattr *a)
{
	return a->nla_len - MNL_ATTR_HDRLEN;
}

static void check_attrs(const void *p, size_t len, const char *where)
{
	const struct nlattr *a;
	size_t left = len, step;

	for_each_attr(a, p, len) {
		if (left < MNL_ATTR_HDRLEN || a->nla_len < MNL_ATTR_HDRLEN ||
		    a->nla_len > left)
			fuzz_fail("%s: an attribute runs past its nest", where);
		step = MNL_ALIGN(a->nla_len);
		left = step < left ? left - step : 0;
	}
}

static void check_nest(const struct nlattr *a, const char *what)
{
	if (!(a->nla_type & NLA_F_NESTED))
		fuzz_fail("%s: a nest without NLA_F_NESTED", what);
	check_attrs(payload(a), plen(a), what);
}

static uint16_t type_of(const struct nlattr *a, const char *what)
{
	if (a->nla_type & NLA_F_NET_BYTEORDER)
		fuzz_fail("%s: NLA_F_NET_BYTEORDER set", what);
	return a->nla_type & NLA_TYPE_MASK;
}

static void check_len(const struct nlattr *a, size_t len, const char *what)
{
	if (a->nla_type & NLA_F_NESTED)
		fuzz_fail("%s: NLA_F_NESTED on a value", what);
	if (plen(a) != len)
		fuzz_fail("%s: %zu bytes, want %zu", what, plen(a), len);
}

static void check_str(const struct nlattr *a, size_t max, const char *what)
{
	const char *s = payload(a);

	if (a->nla_type & NLA_F_NESTED)
		fuzz_fail("%s: NLA_F_NESTED on a string", what);
	if (!plen(a) || !memchr(s, '\0', plen(a)))
		fuzz_fail("%s: not NUL-terminated", what);
	if (strlen(s) > max)
		fuzz_fail("%s: \"%s\" is longer than %zu", what, s, max);
}

/* A match's or target's own attributes: the module parses them itself. */
static void check_ext_data(const struct nlattr *data, const char *what)
{
	const struct nlattr *a;

	check_nest(data, what);
	for_each_attr(a, payload(data), plen(data))
		if (type_of(a, what) == 0 || type_of(a, what) > EXT_MAXATTR)
			fuzz_fail("%s: attribute %u past the last", what, type_of(a, what));
}

static void check_match(const struct nlattr *m)
{
	const struct nlattr *a;
	bool name = false;

	if (type_of(m, "matches") != MOAT_A_MATCH)
		fuzz_fail("matches: attribute %u is not a match", type_of(m, "matches"));
	check_nest(m, "match");
	for_each_attr(a, payload(m), plen(m)) {
		switch (type_of(a, "match")) {
		case MOAT_A_MATCH_NAME:
			check_str(a, MOAT_NAME_LEN - 1, "match name");
			name = true;
			break;
		case MOAT_A_MATCH_DATA:
			check_ext_data(a, "match data");
			break;
		default:
			fuzz_fail("match: attribute %u", type_of(a, "match"));
		}
	}
	if (!name)
		fuzz_fail("a match without a name");
}

static void check_target(const struct nlattr *t)
{
	const struct nlattr *a;
	int kinds = 0;
	uint32_t v;

	check_nest(t, "target");
	for_each_attr(a, payload(t), plen(t)) {
		switch (type_of(a, "target")) {
		case MOAT_A_TARGET_VERDICT:
			check_len(a, 4, "verdict");
			memcpy(&v, payload(a), 4);
			if (v < MOAT_VERDICT_ACCEPT || v > MOAT_VERDICT_RETURN)
				fuzz_fail("verdict %u", v);
			kinds++;
			break;
		case MOAT_A_TARGET_JUMP:
		case MOAT_A_TARGET_GOTO:
		case MOAT_A_TARGET_NAME:
			check_str(a, MOAT_NAME_LEN - 1, "target name");
			kinds++;
			break;
		case MOAT_A_TARGET_DATA:
			check_ext_data(a, "target data");
			break;
		default:
			fuzz_fail("target: attribute %u", type_of(a, "target"));
		}
	}
	if (kinds != 1)
		fuzz_fail("a target with %d verdicts, jumps or names", kinds);
}

static void check_counters(const struct nlattr *c)
{
	const struct nlattr *a;
	int n = 0;

	check_nest(c, "counters");
	for_each_attr(a, payload(c), plen(c)) {
		switch (type_of(a, "counters")) {
		case MOAT_A_COUNTERS_PACKETS:
		case MOAT_A_COUNTERS_BYTES:
			check_len(a, 8, "counter");
			n++;
			break;
		case MOAT_A_COUNTERS_PAD:
			break;
		default:
			fuzz_fail("counters: attribute %u", type_of(a, "counters"));
		}
	}
	if (n != 2)
		fuzz_fail("counters need packets and bytes");
}

void fake_check_rule(const void *nest, size_t len)
{
	const struct nlattr *a, *m;
	uint32_t v;
	uint16_t p;

	check_attrs(nest, len, "rule");
	for_each_attr(a, nest, len) {
		switch (type_of(a, "rule")) {
		case MOAT_A_RULE_SRC:
		case MOAT_A_RULE_SRC_MASK:
		case MOAT_A_RULE_DST:
		case MOAT_A_RULE_DST_MASK:
			check_len(a, 4, "address");
			break;
		case MOAT_A_RULE_IIF:
		case MOAT_A_RULE_OIF:
			check_str(a, 15, "interface");
			break;
		case MOAT_A_RULE_PROTO:
			check_len(a, 2, "protocol");
			memcpy(&p, payload(a), 2);
			if (p > 255)
				fuzz_fail("protocol %u", p);
			break;
		case MOAT_A_RULE_FLAGS:
		case MOAT_A_RULE_INV:
			check_len(a, 4, "rule flags");
			memcpy(&v, payload(a), 4);
			if (v & ~(type_of(a, "") == MOAT_A_RULE_FLAGS ? MOAT_RULE_F_ALL : MOAT_INV_ALL))
				fuzz_fail("rule flags 0x%x", v);
			break;
		case MOAT_A_RULE_MATCHES:
			check_nest(a, "matches");
			for_each_attr(m, payload(a), plen(a))
				check_match(m);
			break;
		case MOAT_A_RULE_TARGET:
			check_target(a);
			break;
		case MOAT_A_RULE_COUNTERS:
			check_counters(a);
			break;
		default:
			fuzz_fail("rule: attribute %u", type_of(a, "rule"));
		}
	}
}

static void check_top(const struct nlattr *a, uint8_t cmd)
{
	uint32_t v;

	switch (type_of(a, "request")) {
	case MOAT_A_TABLE_NAME:
	case MOAT_A_CHAIN_NAME:
	case MOAT_A_CHAIN_NEWNAME:
		check_str(a, MOAT_NAME_LEN - 1, "table or chain name");
		break;
	case MOAT_A_CHAIN_POLICY:
	case MOAT_A_RULE_POS:
		check_len(a, 4, "policy or position");
		break;
	case MOAT_A_TXN_FLAGS:
		check_len(a, 4, "transaction flags");
		memcpy(&v, payload(a), 4);
		if (v & ~MOAT_TXN_F_ALL)
			fuzz_fail("transaction flags 0x%x", v);
		break;
	case MOAT_A_CHAIN_COUNTERS:
		check_counters(a);
		break;
	case MOAT_A_RULE:
		check_nest(a, "rule");
		fake_check_rule(payload(a), plen(a));
		break;
	default:
		fuzz_fail("command %u: attribute %u", cmd, type_of(a, "request"));
	}
}

/* --- the module ----------------------------------------------------------- */

static const struct nlattr *find(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

static void ctrl(struct fake_sock *s, const struct nlmsghdr *req)
{
	char buf[256];
	struct nlmsghdr *nlh;

	nlh = reply_start(buf, req, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 0);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAKE_FAMILY);
	reply(s, nlh);
	answer(s, req, 0, NULL);
}

static bool changes(uint8_t cmd)
{
	switch (cmd) {
	case MOAT_CMD_NEW_CHAIN:
	case MOAT_CMD_DEL_CHAIN:
	case MOAT_CMD_RENAME_CHAIN:
	case MOAT_CMD_SET_POLICY:
	case MOAT_CMD_NEW_RULE:
	case MOAT_CMD_DEL_RULE:
	case MOAT_CMD_REPLACE_RULE:
	case MOAT_CMD_CHECK_RULE:
	case MOAT_CMD_FLUSH:
		return true;
	}
	return false;
}

/*
 * The transaction protocol; returns the errno the module would give, with
 * @fail the one the request fails with anyway (the injected failure).  A
 * failed BEGIN opens nothing, a failed COMMIT aborts, as in the module.
 */
static int txn(struct fake_sock *s, uint8_t cmd, const char *table, int fail)
{
	if (cmd == MOAT_CMD_BEGIN) {
		if (s->txn[0])
			fuzz_fail("BEGIN %s with a transaction open on %s", table, s->txn);
		if (fail)
			return fail;
		snprintf(s->txn, sizeof(s->txn), "%s", table);
		s->txn_failed = false;
		return 0;
	}
	if (cmd == MOAT_CMD_COMMIT || cmd == MOAT_CMD_ABORT) {
		if (strcmp(s->txn, table))
			fuzz_fail("COMMIT or ABORT of %s, the transaction is on '%s'",
				  table, s->txn);
		s->txn[0] = '\0';
		if (fail)
			return fail;
		return cmd == MOAT_CMD_COMMIT && s->txn_failed ? -ECANCELED : 0;
	}
	if (!changes(cmd))
		return fail;
	/*
	 * The module would apply it on its own, at once: a restore that did
	 * so after its BEGIN failed, or a command of several rules, would
	 * change the table part way.
	 */
	if (!s->txn[0] && txn_only)
		fuzz_fail("%s changed outside a transaction (command %u)", table, cmd);
	if (!s->txn[0])
		return fail;
	if (strcmp(s->txn, table))
		fuzz_fail("command %u on %s in a transaction on %s", cmd, table, s->txn);
	if (s->txn_failed)
		return -ECANCELED;
	if (fail)
		s->txn_failed = true;
	return fail;
}

static void moat_request(struct fake_sock *s, const struct nlmsghdr *req)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(req);
	const struct nlattr *a, *table;
	char buf[256];
	int err;

	if (g->version != MOAT_GENL_VERSION || g->reserved)
		fuzz_fail("genl header: version %u, reserved %u", g->version, g->reserved);
	if (g->cmd == MOAT_CMD_UNSPEC || g->cmd > MOAT_CMD_MAX)
		fuzz_fail("command %u", g->cmd);
	check_attrs((const char *)g + GENL_HDRLEN,
		    req->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, "request");
	mnl_attr_for_each(a, req, GENL_HDRLEN)
		check_top(a, g->cmd);
	if (g->cmd == MOAT_CMD_GET_INFO) {
		struct nlmsghdr *nlh = reply_start(buf, req, FAKE_FAMILY, g->cmd, 0);
		struct nlattr *nest;

		if (mnl_nlmsg_get_payload_len(req) > GENL_HDRLEN)
			fuzz_fail("GET_INFO takes no attributes");
		mnl_attr_put_strz(nlh, MOAT_A_VERSION, "0.0.0-fake");
		nest = mnl_attr_nest_start(nlh, MOAT_A_TABLES);
		mnl_attr_nest_end(nlh, nest);
		reply(s, nlh);
		answer(s, req, 0, NULL);
		return;
	}
	table = find(req, MOAT_A_TABLE_NAME);
	if (!table)
		fuzz_fail("command %u without a table", g->cmd);
	if (req->nlmsg_flags & NLM_F_DUMP) {
		if (g->cmd != MOAT_CMD_GET_TABLE)
			fuzz_fail("dump of command %u", g->cmd);
		done(s, req);
		return;
	}
	err = ++requests == fail_at ? -EINVAL : 0;
	if (err)
		refused = true;
	err = txn(s, g->cmd, payload(table), err);
	if (!err && g->cmd == MOAT_CMD_GET_CHAIN)
		err = -ENOENT;
	answer(s, req, err, err == -EINVAL ? "fake module: the request fails" : NULL);
}

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf,
				 size_t len)
{
	struct fake_sock *s = (struct fake_sock *)nl;
	const struct nlmsghdr *nlh;
	int left = len;

	if (!len || len % 4)
		fuzz_fail("sendto of %zu bytes", len);
	for (nlh = buf; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (!(nlh->nlmsg_flags & NLM_F_REQUEST))
			fuzz_fail("a message without NLM_F_REQUEST");
		if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			fuzz_fail("a message of %u bytes", nlh->nlmsg_len);
		if (nlh->nlmsg_type == GENL_ID_CTRL)
			ctrl(s, nlh);
		else if (nlh->nlmsg_type == FAKE_FAMILY)
			moat_request(s, nlh);
		else
			fuzz_fail("a message of type %u", nlh->nlmsg_type);
	}
	if (left)
		fuzz_fail("%d bytes after the last message", left);
	return len;
}
