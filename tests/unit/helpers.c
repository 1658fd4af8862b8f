// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the parser, printer and golden tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "helpers.h"
#include "prog.h"

int split_words(const char *line, char ***argv)
{
	size_t len = strlen(line);
	char **v = calloc(len + 2, sizeof(*v));
	char *word = malloc(len + 1);
	int argc = 0;
	size_t n;
	char quote;

	v[argc++] = strdup("iptables");
	while (*line) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line)
			break;
		n = 0;
		while (*line && *line != ' ' && *line != '\t') {
			if (*line == '"' || *line == '\'') {
				quote = *line++;
				while (*line && *line != quote)
					word[n++] = *line++;
				if (*line)
					line++;
			} else {
				word[n++] = *line++;
			}
		}
		word[n] = '\0';
		v[argc++] = strdup(word);
	}
	free(word);
	*argv = v;
	return argc;
}

void free_words(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

static bool is_chain(void *ctx, const char *name)
{
	static const char *const chains[] = {
		"INPUT", "FORWARD", "OUTPUT", "uc", "foo", "zeta", "alpha",
		"Alpha", "_x", "1abc", "abcdefghijabcdefghijabcdefgh",
		"LOGDROP", "nat_chain",
	};
	size_t i;

	(void)ctx;
	for (i = 0; i < sizeof(chains) / sizeof(chains[0]); i++)
		if (strcmp(chains[i], name) == 0)
			return true;
	return false;
}

const struct moat_parse_env test_env = { is_chain, NULL };

/* The golden errors ran with the one user chain "uc". */
static bool is_uc(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "uc") == 0 || strcmp(name, "INPUT") == 0 ||
	       strcmp(name, "FORWARD") == 0 || strcmp(name, "OUTPUT") == 0;
}

static const struct moat_parse_env uc_env = { is_uc, NULL };

static void child(const char *line, int fd)
{
	struct moat_command cmd;
	char **argv;
	int argc = split_words(line, &argv);

	dup2(fd, STDERR_FILENO);
	dup2(fd, STDOUT_FILENO);
	moat_self = moat_prog_find("iptables");
	moat_parse_command(argc, argv, &cmd, &uc_env);
	exit(0);
}

char *parse_in_child(const char *line, int *status)
{
	size_t cap = 4096, len = 0;
	char *out = malloc(cap);
	int fds[2];
	pid_t pid;
	ssize_t n;

	if (pipe(fds))
		abort();
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child(line, fds[1]);
	}
	close(fds[1]);
	while ((n = read(fds[0], out + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap)
			out = realloc(out, cap *= 2);
	}
	close(fds[0]);
	out[len] = '\0';
	waitpid(pid, status, 0);
	*status = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128;
	return out;
}

char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc(len + 1);
	if (fread(buf, 1, len, f) != (size_t)len)
		len = 0;
	buf[len] = '\0';
	fclose(f);
	return buf;
}

const char *golden_path(const char *name)
{
	static char path[512];
	const char *dir = getenv("MOAT_GOLDEN");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/unit/golden",
		 name);
	return path;
}
