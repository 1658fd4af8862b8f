// SPDX-License-Identifier: GPL-2.0
/* moat: one binary; the name it runs under picks the program. */
#include <stdio.h>
#include "prog.h"

int main(int argc, char **argv)
{
	const struct moat_prog *prog = moat_prog_find(argv[0]);

	if (!prog) {
		fprintf(stderr, "moat: unknown program name '%s'\n", argv[0]);
		return MOAT_OTHER_PROBLEM;
	}
	moat_self = prog;
	return prog->main(argc, argv);
}
