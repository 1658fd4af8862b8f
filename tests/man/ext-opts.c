// SPDX-License-Identifier: GPL-2.0
/*
 * Prints every extension the tool links and its options, one per line:
 * "match tcp dport", "target LOG log-prefix", or "match comment" for one
 * without options.  exts.def lists every moat_ext_* the library defines
 * (the Makefile takes it from nm), so a new extension is seen here without
 * anyone listing it.  scripts/check-man then looks for each in the pages.
 */
#include <stdio.h>
#include "ext.h"

#define X(sym) extern const struct moat_ext sym;
#include "exts.def"
#undef X

#define X(sym) { &sym, #sym },
static const struct {
	const struct moat_ext *ext;
	const char *sym;
} all[] = {
#include "exts.def"
};
#undef X

int main(void)
{
	const struct moat_ext_opt *o;
	const struct moat_ext *e;
	const char *kind;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		e = all[i].ext;
		if (moat_target_find(e->name) == e) {
			kind = "target";
		} else if (moat_ext_find(e->name) == e) {
			kind = "match";
		} else {
			fprintf(stderr, "ext-opts: %s (\"%s\") is in no table of ext.c\n",
				all[i].sym, e->name);
			rc = 1;
			continue;
		}
		if (!e->opts || !e->opts[0].name)
			printf("%s %s\n", kind, e->name);
		for (o = e->opts; o && o->name; o++)
			printf("%s %s %s\n", kind, e->name, o->name);
	}
	return rc;
}
