// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: what the tool makes of the module's answers.  The
 * input is a stream of netlink messages as a GET_TABLE dump sends them
 * (chain messages, then rule messages); the tool decodes them as moat -L
 * and moat-save do, and prints the table every way it can: -L plain and
 * numeric, verbose, exact, with line numbers, -S, and the save format.
 *
 * The tool promises to check everything the module sends: nothing here
 * may crash or reach undefined behaviour, whatever the messages hold.
 * Their framing (nlmsg_len) is the kernel's netlink core's, not the
 * module's, so the target makes it consistent before the tool reads it.
 * Seeds: the rules of the CLI corpus, encoded (FUZZ_DUMP_SEEDS, see
 * fuzz_cli.c).
 */
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "parse.h"
#include "table.h"

int moat_save_table(FILE *f, const char *table,
		    const struct moat_table_dump *d, bool counters);

struct input {
	uint8_t *data;
	size_t size;
};

/* Each nlmsg_len within what is left, as the netlink core delivers them. */
static void frame(struct input *in)
{
	size_t off = 0, left, len;
	struct nlmsghdr *nlh;

	in->size &= ~(size_t)3;
	while (in->size - off >= sizeof(*nlh)) {
		nlh = (struct nlmsghdr *)(in->data + off);
		left = in->size - off;
		len = nlh->nlmsg_len;
		if (len < sizeof(*nlh) || len > left)
			nlh->nlmsg_len = len = left;
		off += MNL_ALIGN(len);
	}
	in->size = off < in->size ? off : in->size;
}

static int print_main(void *ctx)
{
	const struct input *in = ctx;
	static const unsigned int opts[] = {
		0, OPT_NUMERIC, OPT_VERBOSE | OPT_NUMERIC,
		OPT_VERBOSE | OPT_EXACT | OPT_LINE_NUMBERS,
	};
	struct moat_table_dump d = { 0 };
	size_t i;

	if (mnl_cb_run(in->data, in->size, 0, 0, moat_table_parse_msg, &d) >= 0) {
		for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
			moat_print_list(stdout, d.chains, d.n, NULL, 0, opts[i]);
			moat_print_rules(stdout, d.chains, d.n, NULL, 0, opts[i]);
		}
		if (d.n) {
			moat_print_list(stdout, d.chains, d.n, d.chains[0].name, 1, OPT_VERBOSE);
			moat_print_rules(stdout, d.chains, d.n, d.chains[d.n - 1].name, 2, 0);
		}
		moat_save_table(stdout, "filter", &d, false);
		moat_save_table(stdout, "nat", &d, true);
	}
	moat_table_dump_free(&d);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { malloc(size + 4), size };
	const char *err;

	if (!in.data)
		fuzz_fail("out of memory");
	memcpy(in.data, data, size);
	frame(&in);
	fuzz_run(print_main, &in, "moat", &err);
	free(in.data);
	return 0;
}
