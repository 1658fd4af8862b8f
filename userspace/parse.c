// SPDX-License-Identifier: GPL-2.0
/*
 * moat: the iptables command line.
 *
 * This follows iptables 1.8.9 step by step, because users and scripts
 * depend on its exact quirks: getopt_long with iptables' option string and
 * long options (so abbreviations and their ambiguities match), the
 * options of each match joining the table once the match is loaded, the
 * protocol's match loaded on the first option nobody knows, and the checks
 * after the loop in iptables' order.
 */
#include <stddef.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ext.h"
#include "parse.h"
#include "prog.h"

#define OPTSTRING "-:A:C:D:E:F::I:L::M:N:P:VX::Z::c:d:i:j:o:p:s:t:" \
		  "R:S::W::46bfg:h::m:nvw::x"


static const struct option base_opts[] = {
	{ "append", required_argument, NULL, 'A' },
	{ "delete", required_argument, NULL, 'D' },
	{ "check", required_argument, NULL, 'C' },
	{ "insert", required_argument, NULL, 'I' },
	{ "replace", required_argument, NULL, 'R' },
	{ "list", optional_argument, NULL, 'L' },
	{ "list-rules", optional_argument, NULL, 'S' },
	{ "flush", optional_argument, NULL, 'F' },
	{ "zero", optional_argument, NULL, 'Z' },
	{ "new-chain", required_argument, NULL, 'N' },
	{ "delete-chain", optional_argument, NULL, 'X' },
	{ "rename-chain", required_argument, NULL, 'E' },
	{ "policy", required_argument, NULL, 'P' },
	{ "source", required_argument, NULL, 's' },
	{ "destination", required_argument, NULL, 'd' },
	{ "src", required_argument, NULL, 's' },
	{ "dst", required_argument, NULL, 'd' },
	{ "protocol", required_argument, NULL, 'p' },
	{ "in-interface", required_argument, NULL, 'i' },
	{ "jump", required_argument, NULL, 'j' },
	{ "table", required_argument, NULL, 't' },
	{ "match", required_argument, NULL, 'm' },
	{ "numeric", no_argument, NULL, 'n' },
	{ "out-interface", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "wait", optional_argument, NULL, 'w' },
	{ "wait-interval", optional_argument, NULL, 'W' },
	{ "exact", no_argument, NULL, 'x' },
	{ "fragments", no_argument, NULL, 'f' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", optional_argument, NULL, 'h' },
	{ "line-numbers", no_argument, NULL, '0' },
	{ "modprobe", required_argument, NULL, 'M' },
	{ "set-counters", required_argument, NULL, 'c' },
	{ "goto", required_argument, NULL, 'g' },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
};

#define N_BASE_OPTS (sizeof(base_opts) / sizeof(base_opts[0]))

/* getopt values of match options: EXT_VAL + type slot * 256 + option id. */
#define EXT_VAL		0x1000
#define MAX_TYPES	16

struct parser {
	int argc;
	char **argv;
	struct moat_command *cmd;
	const struct moat_parse_env *env;
	struct moat_rule *rule;		/* the rule, before address expansion */
	bool invert;			/* a "!" is waiting for its option */
	const char *shost, *dhost;	/* -s, -d as given */
	char protocol[64];		/* -p, lowercased; "" if none */
	bool proto_used;		/* its match was loaded implicitly */
	const char *jumpto;
	bool goto_set;
	bool wait_interval_set;
	const struct moat_ext *types[MAX_TYPES];	/* loaded, by slot */
	size_t n_types;
	struct option opts[N_BASE_OPTS + 64];
};

static void add_command(struct parser *p, unsigned int cmd,
			unsigned int others)
{
	unsigned int clash = p->cmd->command & ~others;

	if (p->invert)
		moat_param_die("unexpected '!' flag");
	if (clash)
		moat_param_die("Cannot use -%c with -%c", moat_cmd_char(cmd),
			       moat_cmd_char(clash));
	p->cmd->command |= cmd;
}

static void set_option(struct parser *p, unsigned int opt)
{
	uint32_t inv;

	if (p->cmd->opts & opt)
		moat_param_die("multiple -%c flags not allowed",
			       moat_opt_char(opt));
	p->cmd->opts |= opt;
	if (!p->invert)
		return;
	inv = moat_opt_inv(opt);
	if (!inv)
		moat_param_die("cannot have ! before -%c", moat_opt_char(opt));
	p->rule->inv |= inv;
}

/* iptables' xs_has_arg: the next word is an argument, not an option. */
static bool has_arg(struct parser *p)
{
	return optind < p->argc && p->argv[optind][0] != '-' &&
	       p->argv[optind][0] != '!';
}

static unsigned int parse_rulenum(const char *s)
{
	unsigned int n;

	if (!moat_strtoui(s, &n, 1, INT_MAX))
		moat_param_die("Invalid rule number `%s'", s);
	return n;
}

/*
 * The option table: iptables' own options, then those of every match type
 * loaded so far, the newest first as iptables merges them.
 */
static void build_opts(struct parser *p)
{
	const struct moat_ext_opt *o;
	size_t n = N_BASE_OPTS, slot;

	memcpy(p->opts, base_opts, sizeof(base_opts));
	/* Newest first: of two exact matches (--dport), getopt takes it. */
	for (slot = p->n_types; slot-- > 0;) {
		for (o = p->types[slot]->opts; o->name; o++) {
			if (n + 1 >= sizeof(p->opts) / sizeof(p->opts[0]))
				moat_die(MOAT_OTHER_PROBLEM, "too many options");
			p->opts[n].name = o->name;
			p->opts[n].has_arg = o->has_arg;
			p->opts[n].flag = NULL;
			p->opts[n].val = EXT_VAL + slot * 256 + o->id;
			n++;
		}
	}
	memset(&p->opts[n], 0, sizeof(p->opts[n]));
}

/* The options of @ext join the table, unless they are there already. */
static void load_options(struct parser *p, const struct moat_ext *ext)
{
	size_t slot;

	for (slot = 0; slot < p->n_types; slot++)
		if (p->types[slot] == ext)
			return;
	if (p->n_types == MAX_TYPES)
		moat_die(MOAT_OTHER_PROBLEM, "too many matches");
	p->types[p->n_types++] = ext;
	build_opts(p);
}

/* Adds an instance of @ext to the rule. */
static void load_match(struct parser *p, const struct moat_ext *ext)
{
	moat_xalloc(moat_rule_add_match(p->rule, ext));
	load_options(p, ext);
}

static void command_match(struct parser *p, const char *name)
{
	const struct moat_ext *ext;

	if (p->invert)
		moat_param_die("unexpected ! flag before --match");
	ext = moat_ext_find(name);
	if (!ext)
		moat_param_die("Couldn't load match `%s':No such file or directory\n",
			       name);
	load_match(p, ext);
}

/*
 * An option of the target goes to it; one of a loaded match to the newest
 * instance of that match.
 */
static void match_option(struct parser *p, int c)
{
	const struct moat_ext *ext = p->types[(c - EXT_VAL) / 256];
	struct moat_rule *r = p->rule;
	struct moat_match *m = NULL;
	size_t i;

	if (ext == r->text) {
		if (ext->set_proto)
			ext->set_proto(r->tdata, r->proto,
				       r->inv & MOAT_INV_PROTO);
		ext->parse((c - EXT_VAL) % 256, optarg, p->invert, &r->tseen,
			   r->tdata, p->argc, p->argv);
		return;
	}
	for (i = 0; i < p->rule->n_matches; i++)
		if (p->rule->matches[i].ext == ext)
			m = &p->rule->matches[i];
	if (ext->set_proto)
		ext->set_proto(m->data, p->rule->proto,
			       p->rule->inv & MOAT_INV_PROTO);
	ext->parse((c - EXT_VAL) % 256, optarg, p->invert, &m->seen, m->data,
		   p->argc, p->argv);
}

/*
 * An option nobody claimed: iptables then loads the match of -p's protocol
 * once and reads the option again.  Returns true to re-read.
 */
static bool command_default(struct parser *p, int c)
{
	const struct moat_ext *ext;

	if (c >= EXT_VAL) {
		match_option(p, c);
		return false;
	}
	if (p->protocol[0] && !p->proto_used) {
		ext = moat_ext_by_proto(moat_parse_protocol(p->protocol));
		if (ext) {
			p->proto_used = true;
			load_match(p, ext);
			optind--;
			return true;
		}
	}
	if (c == ':')
		moat_param_die("option \"%s\" requires an argument",
			       p->argv[optind - 1]);
	if (c == '?')
		moat_param_die("unknown option \"%s\"", p->argv[optind - 1]);
	/* iptables prints the NULL optarg of an unhandled letter (-b). */
	moat_param_die("Unknown arg \"%s\"", optarg ? optarg : "(null)");
}

/*
 * Commands.
 */

/* A chain argument: attached (-LINPUT), or the next word if not an option. */
static void optional_chain(struct parser *p)
{
	if (optarg)
		p->cmd->chain = optarg;
	else if (has_arg(p))
		p->cmd->chain = p->argv[optind++];
}

static void optional_rulenum(struct parser *p)
{
	if (has_arg(p))
		p->cmd->rulenum = parse_rulenum(p->argv[optind++]);
}

static void parse_command(struct parser *p, int c)
{
	struct moat_command *cmd = p->cmd;

	switch (c) {
	case 'A':
		add_command(p, CMD_APPEND, CMD_NONE);
		cmd->chain = optarg;
		break;
	case 'C':
		add_command(p, CMD_CHECK, CMD_NONE);
		cmd->chain = optarg;
		break;
	case 'D':
		add_command(p, CMD_DELETE, CMD_NONE);
		cmd->chain = optarg;
		if (has_arg(p)) {
			cmd->rulenum = parse_rulenum(p->argv[optind++]);
			cmd->command = CMD_DELETE_NUM;
		}
		break;
	case 'R':
		add_command(p, CMD_REPLACE, CMD_NONE);
		cmd->chain = optarg;
		if (!has_arg(p))
			moat_param_die("-R requires a rule number");
		cmd->rulenum = parse_rulenum(p->argv[optind++]);
		break;
	case 'I':
		add_command(p, CMD_INSERT, CMD_NONE);
		cmd->chain = optarg;
		cmd->rulenum = 1;
		optional_rulenum(p);
		break;
	case 'L':
		add_command(p, CMD_LIST, CMD_ZERO | CMD_ZERO_NUM);
		optional_chain(p);
		optional_rulenum(p);
		break;
	case 'S':
		add_command(p, CMD_LIST_RULES, CMD_ZERO | CMD_ZERO_NUM);
		optional_chain(p);
		optional_rulenum(p);
		break;
	case 'F':
		add_command(p, CMD_FLUSH, CMD_NONE);
		optional_chain(p);
		break;
	case 'Z':
		add_command(p, CMD_ZERO, CMD_LIST | CMD_LIST_RULES);
		optional_chain(p);
		if (has_arg(p)) {
			cmd->rulenum = parse_rulenum(p->argv[optind++]);
			cmd->command = (cmd->command & ~CMD_ZERO) |
				       CMD_ZERO_NUM;
		}
		break;
	case 'N':
		moat_check_new_chain(optarg);
		add_command(p, CMD_NEW_CHAIN, CMD_NONE);
		cmd->chain = optarg;
		break;
	case 'X':
		add_command(p, CMD_DELETE_CHAIN, CMD_NONE);
		optional_chain(p);
		break;
	case 'E':
		add_command(p, CMD_RENAME_CHAIN, CMD_NONE);
		cmd->chain = optarg;
		if (!has_arg(p))
			moat_param_die("-E requires old-chain-name and new-chain-name");
		cmd->newname = p->argv[optind++];
		/*
		 * -N's limit: iptables-legacy cuts a longer name to it, or
		 * fails past 31; moat-restore would refuse what it saved.
		 */
		if (strlen(cmd->newname) >= MOAT_XT_NAME_LEN)
			moat_param_die("chain name `%s' too long (must be under %u chars)",
				       cmd->newname, MOAT_XT_NAME_LEN);
		break;
	case 'P':
		add_command(p, CMD_SET_POLICY, CMD_NONE);
		cmd->chain = optarg;
		if (!has_arg(p))
			moat_param_die("-P requires a chain and a policy");
		cmd->policy_name = p->argv[optind++];
		/* RETURN is no policy: the kernel side says "Bad policy name". */
		cmd->policy = moat_verdict_parse(cmd->policy_name);
		if (cmd->policy == MOAT_VERDICT_RETURN)
			cmd->policy = MOAT_VERDICT_UNSPEC;
		break;
	}
}

/*
 * Rule options.
 */

uint16_t moat_parse_protocol(const char *s)
{
	static const struct { const char *name; uint16_t num; } known[] = {
		{ "tcp", 6 }, { "sctp", 132 }, { "udp", 17 },
		{ "udplite", 136 }, { "icmp", 1 }, { "icmpv6", 58 },
		{ "esp", 50 }, { "ah", 51 }, { "ipv6-mh", 135 }, { "mh", 135 },
		{ "all", 0 },
	};
	/* A restore names the same few protocols thousands of times. */
	static struct { char name[32]; int num; } memo[16];
	static size_t n_memo;
	struct protoent *pe;
	unsigned int v;
	size_t i;

	if (moat_strtoui(s, &v, 0, 255))
		return v;
	/* "all" first, so that no nsswitch source can redefine it */
	if (strcmp(s, "all") == 0)
		return 0;
	for (i = 0; i < n_memo; i++)
		if (strcmp(memo[i].name, s) == 0)
			return memo[i].num;
	pe = getprotobyname(s);
	if (pe && strlen(s) < sizeof(memo[0].name) && n_memo < 16) {
		strcpy(memo[n_memo].name, s);
		memo[n_memo++].num = pe->p_proto;
	}
	if (pe)
		return pe->p_proto;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(s, known[i].name) == 0)
			return known[i].num;
	moat_param_die("unknown protocol \"%s\" specified", s);
}

static void parse_proto_opt(struct parser *p, const char *arg)
{
	size_t i;

	set_option(p, OPT_PROTOCOL);
	for (i = 0; arg[i] && i < sizeof(p->protocol) - 1; i++)
		p->protocol[i] = tolower((unsigned char)arg[i]);
	p->protocol[i] = '\0';
	p->rule->proto = moat_parse_protocol(p->protocol);
	if (p->rule->proto == 0 && (p->rule->inv & MOAT_INV_PROTO))
		moat_param_die("rule would never match protocol");
}

static void parse_iface(struct parser *p, unsigned int opt, const char *arg,
			char *dst)
{
	const char *c;

	if (!*arg)
		moat_param_die("Empty interface is likely to be undesired");
	set_option(p, opt);
	if (strlen(arg) >= IFNAMSIZ)
		moat_param_die("interface name `%s' must be shorter than IFNAMSIZ (%i)",
			       arg, IFNAMSIZ - 1);
	strcpy(dst, arg);
	if (arg[strlen(arg) - 1] == '+')
		return;
	for (c = arg; *c; c++) {
		if (*c == '/' || *c == ' ') {
			fprintf(stderr,
				"Warning: weird character in interface `%s' ('/' and ' ' are not allowed by the kernel).\n",
				arg);
			break;
		}
	}
}

static void parse_counters(struct parser *p, const char *arg)
{
	const char *bcnt = arg[0] ? strchr(arg + 1, ',') : NULL;
	unsigned long long pk, by;

	set_option(p, OPT_COUNTERS);
	if (bcnt)
		bcnt++;
	if (!bcnt && has_arg(p))
		bcnt = p->argv[optind++];
	if (!bcnt)
		moat_param_die("-c requires packet and byte counter");
	if (sscanf(arg, "%llu", &pk) != 1)
		moat_param_die("-c packet counter not numeric");
	if (sscanf(bcnt, "%llu", &by) != 1)
		moat_param_die("-c byte counter not numeric");
	p->cmd->counters_given = true;
	p->cmd->pkts = pk;
	p->cmd->bytes = by;
}

static void parse_wait(struct parser *p)
{
	const char *arg = optarg;

	if (!arg && has_arg(p))
		arg = p->argv[optind++];
	p->cmd->wait = -1;
	if (arg && sscanf(arg, "%i", &p->cmd->wait) != 1)
		moat_param_die("wait seconds not numeric");
}

static void parse_wait_interval(struct parser *p)
{
	const char *arg = optarg;
	unsigned int usec;

	if (!arg && has_arg(p))
		arg = p->argv[optind++];
	if (!arg)
		moat_param_die("wait interval value required");
	if (sscanf(arg, "%u", &usec) != 1)
		moat_param_die("wait interval not numeric");
	if (usec > 999999)
		moat_param_die("too long usec wait %u > 999999 usec", usec);
	fprintf(stderr, "Ignoring deprecated --wait-interval option.\n");
	p->wait_interval_set = true;
}

/* -j loads a target extension at once, so its options can follow. */
static void parse_jump(struct parser *p, const char *arg, bool is_goto)
{
	const struct moat_ext *ext;

	set_option(p, OPT_JUMP);
	p->jumpto = moat_check_target_name(arg);
	p->goto_set = is_goto;
	ext = is_goto ? NULL : moat_target_find(arg);
	if (!ext)
		return;
	if (moat_rule_set_target(p->rule, arg, ext))
		moat_xalloc(NULL);
	load_options(p, ext);
}

/* Returns true when the option was "!" and must not reset the inversion. */
static bool parse_option(struct parser *p, int c)
{
	switch (c) {
	case 'p':
		parse_proto_opt(p, optarg);
		break;
	case 's':
		set_option(p, OPT_SOURCE);
		p->shost = optarg;
		break;
	case 'd':
		set_option(p, OPT_DESTINATION);
		p->dhost = optarg;
		break;
	case 'j':
	case 'g':
		parse_jump(p, optarg, c == 'g');
		break;
	case 'i':
		parse_iface(p, OPT_IN, optarg, p->rule->iif);
		break;
	case 'o':
		parse_iface(p, OPT_OUT, optarg, p->rule->oif);
		break;
	case 'f':
		set_option(p, OPT_FRAGMENT);
		p->rule->flags |= MOAT_RULE_F_FRAG;
		break;
	case 'v':
		if (!p->cmd->verbose)
			set_option(p, OPT_VERBOSE);
		p->cmd->verbose++;
		break;
	case 'm':
		command_match(p, optarg);
		break;
	case 'n':
		set_option(p, OPT_NUMERIC);
		break;
	case 'x':
		set_option(p, OPT_EXACT);
		break;
	case '0':
		set_option(p, OPT_LINE_NUMBERS);
		break;
	case 'c':
		parse_counters(p, optarg);
		break;
	case 't':
		if (p->invert)
			moat_param_die("unexpected ! flag before --table");
		p->cmd->table = optarg;
		break;
	case 'w':
		parse_wait(p);
		break;
	case 'W':
		parse_wait_interval(p);
		break;
	case 'M':
	case '4':
		break;
	case '6':
		moat_try_help();
	case 1:
		if (optarg[0] == '!' && optarg[1] == '\0') {
			if (p->invert)
				moat_param_die("multiple consecutive ! not allowed");
			p->invert = true;
			return true;
		}
		fprintf(stderr, "Bad argument `%s'\n", optarg);
		moat_try_help();
	default:
		return command_default(p, c);
	}
	return false;
}

/*
 * After the loop: iptables' checks, in its order.
 */

static bool is_chain(const struct parser *p, const char *name)
{
	return p->env && p->env->is_chain && p->env->is_chain(p->env->ctx, name);
}

static void resolve_target(struct parser *p)
{
	struct moat_rule *r = p->rule;

	if (!p->jumpto || r->target == MOAT_TARGET_EXT)
		return;
	if (p->goto_set) {
		if (!is_chain(p, p->jumpto))
			moat_param_die("goto '%s' is not a chain", p->jumpto);
		r->target = MOAT_TARGET_GOTO;
		snprintf(r->chain, sizeof(r->chain), "%s", p->jumpto);
		return;
	}
	r->verdict = moat_verdict_parse(p->jumpto);
	if (r->verdict != MOAT_VERDICT_UNSPEC) {
		r->target = MOAT_TARGET_VERDICT;
		return;
	}
	if (strcmp(p->jumpto, "QUEUE") == 0)
		moat_param_die("target `QUEUE' is not supported");
	if (!is_chain(p, p->jumpto))
		moat_param_die("Couldn't load target `%s':No such file or directory\n",
			       p->jumpto);
	r->target = MOAT_TARGET_JUMP;
	snprintf(r->chain, sizeof(r->chain), "%s", p->jumpto);
}

/* One rule per source x destination, as iptables runs them. */
static void expand_rules(struct parser *p, const uint32_t *sa,
			 const uint32_t *sm, size_t ns, const uint32_t *da,
			 const uint32_t *dm, size_t nd)
{
	struct moat_command *cmd = p->cmd;
	struct moat_rule *r;
	size_t i, j;

	cmd->rules = moat_xalloc(calloc(ns * nd, sizeof(*cmd->rules)));
	for (i = 0; i < ns; i++) {
		for (j = 0; j < nd; j++) {
			if (ns * nd == 1) {
				/* The one rule: no copy. */
				r = p->rule;
				p->rule = NULL;
			} else {
				r = moat_xalloc(moat_rule_clone(p->rule));
			}
			r->src = sa[i];
			r->src_mask = sm[i];
			r->dst = da[j];
			r->dst_mask = dm[j];
			cmd->rules[cmd->n_rules++] = r;
		}
	}
}

static void finish(struct parser *p)
{
	struct moat_command *cmd = p->cmd;
	/* No -s or -d: 0.0.0.0/0, without parsing it for every rule. */
	static const uint32_t any;
	const uint32_t *src = &any, *smask = &any, *dst = &any, *dmask = &any;
	uint32_t *sa = NULL, *sm = NULL, *da = NULL, *dm = NULL;
	size_t ns = 1, nd = 1, i;
	struct moat_match *m;

	if (p->wait_interval_set && !cmd->wait)
		moat_param_die("--wait-interval only makes sense with --wait\n");
	for (i = 0; i < p->rule->n_matches; i++) {
		m = &p->rule->matches[i];
		if (m->ext->final_check)
			m->ext->final_check(m->seen);
		if (m->ext->check)
			m->ext->check(m->seen, m->data);
	}
	/* The target's checks come after the matches', as in iptables. */
	if (p->rule->text && p->rule->text->final_check)
		p->rule->text->final_check(p->rule->tseen);
	if (p->rule->text && p->rule->text->check)
		p->rule->text->check(p->rule->tseen, p->rule->tdata);
	if (optind < p->argc)
		moat_param_die("unknown arguments found on commandline");
	if (!cmd->command)
		moat_param_die("no command specified");
	if (p->invert)
		moat_param_die("nothing appropriate following !");
	if (p->shost) {
		moat_parse_addresses(p->shost, &sa, &sm, &ns);
		src = sa;
		smask = sm;
	}
	if (p->dhost) {
		moat_parse_addresses(p->dhost, &da, &dm, &nd);
		dst = da;
		dmask = dm;
	}
	if ((ns > 1 || nd > 1) &&
	    (p->rule->inv & (MOAT_INV_SRC | MOAT_INV_DST)))
		moat_param_die("! not allowed with multiple source or destination IP addresses");
	if (cmd->command == CMD_REPLACE && (ns != 1 || nd != 1))
		moat_param_die("Replacement rule does not specify a unique address");
	moat_check_cmd_opts(cmd->command, cmd->opts);
	if (cmd->chain && strlen(cmd->chain) >= MOAT_XT_NAME_LEN)
		moat_param_die("chain name `%s' too long (must be under %u chars)",
			       cmd->chain, MOAT_XT_NAME_LEN);
	moat_check_ifaces(cmd);
	if (strcmp(cmd->table, "nat") == 0 &&
	    ((cmd->policy_name && strcmp(cmd->policy_name, "DROP") == 0) ||
	     (p->jumpto && strcmp(p->jumpto, "DROP") == 0)))
		moat_param_die("\nThe \"nat\" table is not intended for filtering, "
			       "the use of DROP is therefore inhibited.\n\n");
	if (cmd->command & CMD_RULE_MASK) {
		resolve_target(p);
		p->rule->has_counters = cmd->counters_given;
		p->rule->packets = cmd->pkts;
		p->rule->bytes = cmd->bytes;
		expand_rules(p, src, smask, ns, dst, dmask, nd);
	}
	free(sa);
	free(sm);
	free(da);
	free(dm);
}

int moat_parse_command(int argc, char **argv, struct moat_command *cmd,
		       const struct moat_parse_env *env)
{
	/* On the stack, and opts[] left to build_opts: allocating and
	 * zeroing its 4 KiB for every rule was a fifth of a restore. */
	struct parser parser, *p = &parser;
	int c;

	memset(p, 0, offsetof(struct parser, opts));
	memset(cmd, 0, sizeof(*cmd));
	cmd->table = "filter";
	p->argc = argc;
	p->argv = argv;
	p->cmd = cmd;
	p->env = env;
	p->rule = moat_xalloc(moat_rule_alloc());
	build_opts(p);

	/* optind 0 makes glibc start afresh; errors are ours to word. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, OPTSTRING, p->opts, NULL)) != -1) {
		if (c == 'h' || c == 'V') {
			cmd->command = c == 'h' ? CMD_HELP : CMD_VERSION;
			goto out;
		}
		if (c < 256 && strchr("ACDRILSFZNXEP", c)) {
			parse_command(p, c);
		} else if (parse_option(p, c)) {
			continue;
		}
		p->invert = false;
	}
	finish(p);
out:
	moat_rule_free(p->rule);
	return 0;
}

void moat_cmd_free(struct moat_command *cmd)
{
	size_t i;

	for (i = 0; i < cmd->n_rules; i++)
		moat_rule_free(cmd->rules[i]);
	free(cmd->rules);
	cmd->rules = NULL;
	cmd->n_rules = 0;
}
