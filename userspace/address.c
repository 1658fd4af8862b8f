// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the addresses of -s and -d (and of matches that take one), read
 * as iptables reads them.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <arpa/inet.h>
#include "ext.h"
#include "parse.h"
#include "prog.h"

/*
 * Addresses: "a.b.c.d", "a.b" (completed with zeros), a network name from
 * /etc/networks or a host name, each with an optional /prefix or /netmask.
 */

/* iptables' dotted-quad reader; a mask needs all four parts. */
static bool dotted_to_addr(const char *s, bool is_mask, uint32_t *out)
{
	unsigned char b[4] = { 0 };
	char buf[20], *part = buf, *dot;
	unsigned int v;
	size_t len;
	int i;

	/* Cut to the buffer, as iptables' is. */
	len = strnlen(s, sizeof(buf) - 1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (i = 0; i < 3; i++) {
		dot = strchr(part, '.');
		if (!dot)
			break;
		*dot = '\0';
		if (!moat_strtoui(part, &v, 0, 255))
			return false;
		b[i] = v;
		part = dot + 1;
	}
	/* The last part read, the fourth or (not for a mask) an earlier one. */
	if ((is_mask && i < 3) || !moat_strtoui(part, &v, 0, 255))
		return false;
	b[i] = v;
	memcpy(out, b, 4);
	return true;
}

bool moat_xt_dotted(const char *s, uint32_t *out)
{
	return dotted_to_addr(s, false, out);
}

static uint32_t parse_mask(const char *s)
{
	uint32_t mask;
	unsigned int bits;

	if (!s)
		return 0xffffffff;
	if (dotted_to_addr(s, true, &mask))
		return mask;
	if (!moat_strtoui(s, &bits, 0, 32))
		moat_param_die("invalid mask `%s' specified", s);
	return bits ? htonl(0xffffffffu << (32 - bits)) : 0;
}

/*
 * Every IPv4 address of @name; exits if there is none, with -s's words or,
 * @gai_words, those of the options that parse one address (conntrack).
 */
static size_t resolve(const char *name, uint32_t **out, bool gai_words)
{
	struct addrinfo hints = {
		.ai_flags = AI_CANONNAME,
		.ai_family = AF_INET,
		.ai_socktype = SOCK_RAW,
	};
	struct addrinfo *res, *ai;
	struct netent *ne;
	size_t n = 0;
	int err;

	*out = moat_xalloc(malloc(sizeof(**out)));
	if (dotted_to_addr(name, false, *out))
		return 1;
	ne = getnetbyname(name);
	if (ne && ne->n_addrtype == AF_INET) {
		**out = htonl(ne->n_net);
		return 1;
	}
	err = getaddrinfo(name, NULL, &hints, &res);
	if (err && gai_words)
		moat_param_die("getaddrinfo: %s\n", gai_strerror(err));
	if (err)
		moat_param_die("host/network `%s' not found", name);
	for (ai = res; ai; ai = ai->ai_next)
		n++;
	*out = moat_xalloc(realloc(*out, n * sizeof(**out)));
	for (n = 0, ai = res; ai; ai = ai->ai_next)
		(*out)[n++] = ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr;
	freeaddrinfo(res);
	return n;
}

static void add_addresses(const char *item, uint32_t **addrs,
			  uint32_t **masks, size_t *n)
{
	char buf[256];
	char *slash;
	uint32_t mask, *found;
	size_t len = strlen(item), k, i;

	if (len > sizeof(buf) - 1)
		moat_param_die("Hostname too long");
	strcpy(buf, item);
	slash = strrchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	mask = parse_mask(slash);
	/* A null mask matches anything: the name is not even looked up. */
	if (mask) {
		k = resolve(buf, &found, false);
	} else {
		found = moat_xalloc(calloc(1, sizeof(*found)));
		k = 1;
	}
	*addrs = moat_xalloc(realloc(*addrs, (*n + k) * sizeof(**addrs)));
	*masks = moat_xalloc(realloc(*masks, (*n + k) * sizeof(**masks)));
	for (i = 0; i < k; i++) {
		(*addrs)[*n] = found[i] & mask;
		(*masks)[(*n)++] = mask;
	}
	free(found);
}

void moat_parse_address_one(const char *spec, uint32_t *addr, uint32_t *mask)
{
	char buf[256];
	char *slash;
	uint32_t *found;

	if (strlen(spec) > sizeof(buf) - 1)
		moat_param_die("Hostname too long");
	strcpy(buf, spec);
	slash = strrchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	*mask = parse_mask(slash);
	/* Unlike -s, looked up even under a null mask: it is kept as given. */
	if (resolve(buf, &found, true) > 1)
		moat_param_die("multiple IP addresses not allowed");
	/* Kept as given: iptables saves it unmasked. */
	*addr = found[0];
	free(found);
}

void moat_parse_addresses(const char *spec, uint32_t **addrs,
			  uint32_t **masks, size_t *n)
{
	const char *item = spec, *comma;
	char buf[512];
	size_t len;

	*addrs = NULL;
	*masks = NULL;
	*n = 0;
	for (;;) {
		while (isspace((unsigned char)*item))
			item++;
		comma = strchr(item, ',');
		len = comma ? (size_t)(comma - item) : strlen(item);
		if (len > 255)
			moat_param_die("Hostname too long");
		memcpy(buf, item, len);
		buf[len] = '\0';
		add_addresses(buf, addrs, masks, n);
		if (!comma)
			break;
		item = comma + 1;
	}
}
