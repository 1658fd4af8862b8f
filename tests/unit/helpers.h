/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the parser, printer and golden tests. */
#ifndef MOAT_TEST_HELPERS_H
#define MOAT_TEST_HELPERS_H

#include <stddef.h>
#include "parse.h"

/* Splits @line into shell words ('' and "" quotes); argv[0] is "iptables". */
int split_words(const char *line, char ***argv);
void free_words(int argc, char **argv);

/* A chain set standing in for the kernel: is_chain() knows these names. */
extern const struct moat_parse_env test_env;

/*
 * Runs moat_parse_command on @line in a child, as iptables, with "uc" the
 * only user chain; returns what
 * it wrote to stderr (malloc'ed) and its exit status in @status.
 */
char *parse_in_child(const char *line, int *status);

/* The whole file, malloc'ed, or NULL. */
char *read_file(const char *path);
/* The path of a golden file: $MOAT_GOLDEN or tests/unit/golden. */
const char *golden_path(const char *name);

#endif
