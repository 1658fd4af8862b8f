// SPDX-License-Identifier: GPL-2.0
/* moat: the "owner" match: --uid-owner, --gid-owner, --socket-exists. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <linux/moat.h>
#include "ext.h"
#include "prog.h"

struct owner {
	uint32_t uid[2], gid[2];
	uint8_t match, invert;		/* MOAT_OWNER_* */
};

enum { O_UID = 1, O_GID, O_SOCKET, O_SUPPL };

static const struct moat_ext_opt owner_opts[] = {
	{ "uid-owner", required_argument, O_UID },
	{ "gid-owner", required_argument, O_GID },
	{ "socket-exists", no_argument, O_SOCKET },
	{ "suppl-groups", no_argument, O_SUPPL },
	{ NULL, 0, 0 },
};

static const char *const opt_names[] = {
	[O_UID] = "uid-owner", [O_GID] = "gid-owner",
	[O_SOCKET] = "socket-exists", [O_SUPPL] = "suppl-groups",
};

static void __attribute__((noreturn)) bad_value(int id, const char *arg)
{
	moat_param_die("owner: Bad value for \"--%s\" option: \"%s\"",
		       opt_names[id], arg);
}

/* One id: a number or, for @id O_UID/O_GID, a user or group name. */
static uint32_t parse_id(int id, const char *s, const char *arg)
{
	struct passwd *pw;
	struct group *gr;
	unsigned int v;

	if (moat_strtoui(s, &v, 0, 0xfffffffe))
		return v;
	if (id == O_UID && (pw = getpwnam(s)))
		return pw->pw_uid;
	if (id == O_GID && (gr = getgrnam(s)))
		return gr->gr_gid;
	bad_value(id, arg);
}

/* "a" or "a-b". */
static void parse_range(int id, const char *arg, uint32_t range[2])
{
	char buf[strlen(arg) + 1];
	char *dash;

	strcpy(buf, arg);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	range[0] = parse_id(id, buf, arg);
	/* An empty range ("10-5") is for the module to refuse, as iptables. */
	range[1] = dash ? parse_id(id, dash, arg) : range[0];
}

static void owner_parse(int id, const char *arg, bool invert,
			unsigned int *seen, void *data, int argc, char **argv)
{
	static const uint8_t flag[] = {
		[O_UID] = MOAT_OWNER_UID, [O_GID] = MOAT_OWNER_GID,
		[O_SOCKET] = MOAT_OWNER_SOCKET, [O_SUPPL] = MOAT_OWNER_SUPPL_GROUPS,
	};
	struct owner *o = data;

	(void)argc;
	(void)argv;
	if (*seen & (1u << id))
		moat_param_die("owner: option \"--%s\" can only be used once.\n",
			       opt_names[id]);
	*seen |= 1u << id;
	if (id == O_UID)
		parse_range(id, arg, o->uid);
	else if (id == O_GID)
		parse_range(id, arg, o->gid);
	else if (id == O_SUPPL && !(o->match & MOAT_OWNER_GID))
		bad_value(id, "you need to use --gid-owner first");
	o->match |= flag[id];
	if (invert)
		o->invert |= flag[id];
}

static void owner_final_check(unsigned int seen)
{
	if (!seen)
		moat_param_die("owner: At least one of --uid-owner, --gid-owner "
			       "or --socket-exists is required");
}

static const char *neg(const struct owner *o, uint8_t flag)
{
	return o->invert & flag ? " !" : "";
}

static void print_range(FILE *f, const uint32_t r[2], bool uid, bool numeric)
{
	struct passwd *pw;
	struct group *gr;

	if (r[0] != r[1]) {
		fprintf(f, "%u-%u", r[0], r[1]);
		return;
	}
	if (!numeric && uid && (pw = getpwuid(r[0]))) {
		fputs(pw->pw_name, f);
		return;
	}
	if (!numeric && !uid && (gr = getgrgid(r[0]))) {
		fputs(gr->gr_name, f);
		return;
	}
	fprintf(f, "%u", r[0]);
}

static void owner_save(FILE *f, const void *data)
{
	const struct owner *o = data;

	if (o->match & MOAT_OWNER_SOCKET)
		fprintf(f, "%s --socket-exists", neg(o, MOAT_OWNER_SOCKET));
	if (o->match & MOAT_OWNER_UID) {
		fprintf(f, "%s --uid-owner ", neg(o, MOAT_OWNER_UID));
		print_range(f, o->uid, true, true);
	}
	if (o->match & MOAT_OWNER_GID) {
		fprintf(f, "%s --gid-owner ", neg(o, MOAT_OWNER_GID));
		print_range(f, o->gid, false, true);
	}
	if (o->match & MOAT_OWNER_SUPPL_GROUPS)
		fputs(" --suppl-groups", f);
}

static void owner_list(FILE *f, const void *data, bool numeric)
{
	const struct owner *o = data;

	if (o->match & MOAT_OWNER_SOCKET)
		fprintf(f, "%s owner socket exists", neg(o, MOAT_OWNER_SOCKET));
	if (o->match & MOAT_OWNER_UID) {
		fprintf(f, "%s owner UID match ", neg(o, MOAT_OWNER_UID));
		print_range(f, o->uid, true, numeric);
	}
	if (o->match & MOAT_OWNER_GID) {
		fprintf(f, "%s owner GID match ", neg(o, MOAT_OWNER_GID));
		print_range(f, o->gid, false, numeric);
	}
	if (o->match & MOAT_OWNER_SUPPL_GROUPS)
		fputs(" incl. suppl. groups", f);
}

static int owner_encode(struct nlmsghdr *nlh, size_t len, const void *data)
{
	const struct owner *o = data;

	if (!mnl_attr_put_u32_check(nlh, len, MOAT_A_OWNER_UID_MIN, o->uid[0]) ||
	    !mnl_attr_put_u32_check(nlh, len, MOAT_A_OWNER_UID_MAX, o->uid[1]) ||
	    !mnl_attr_put_u32_check(nlh, len, MOAT_A_OWNER_GID_MIN, o->gid[0]) ||
	    !mnl_attr_put_u32_check(nlh, len, MOAT_A_OWNER_GID_MAX, o->gid[1]) ||
	    !mnl_attr_put_u8_check(nlh, len, MOAT_A_OWNER_MATCH, o->match) ||
	    !mnl_attr_put_u8_check(nlh, len, MOAT_A_OWNER_INVERT, o->invert))
		return -EMSGSIZE;
	return 0;
}

static int owner_attr(const struct nlattr *a, struct owner *o)
{
	switch (mnl_attr_get_type(a)) {
	case MOAT_A_OWNER_UID_MIN:
		return moat_attr_u32(a, &o->uid[0]);
	case MOAT_A_OWNER_UID_MAX:
		return moat_attr_u32(a, &o->uid[1]);
	case MOAT_A_OWNER_GID_MIN:
		return moat_attr_u32(a, &o->gid[0]);
	case MOAT_A_OWNER_GID_MAX:
		return moat_attr_u32(a, &o->gid[1]);
	case MOAT_A_OWNER_MATCH:
		return moat_attr_u8(a, &o->match);
	case MOAT_A_OWNER_INVERT:
		return moat_attr_u8(a, &o->invert);
	}
	return 0;
}

static int owner_decode(const struct nlattr *nest, void *data)
{
	const struct nlattr *a;
	int err;

	mnl_attr_for_each_nested(a, nest) {
		err = owner_attr(a, data);
		if (err)
			return err;
	}
	return 0;
}

const struct moat_ext moat_ext_owner = {
	.name = "owner",
	.size = sizeof(struct owner),
	.opts = owner_opts,
	.parse = owner_parse,
	.final_check = owner_final_check,
	.print_save = owner_save,
	.print_list = owner_list,
	.encode = owner_encode,
	.decode = owner_decode,
};
