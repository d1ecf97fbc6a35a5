/*
 * procgroup.c - process group rules (procgroup.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"
#include "view/procgroup.h"

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The next word of *s (up to a space or tab), *s moved past it. */
static size_t next_word(const char **s, const char **word)
{
	size_t n;

	*s = skip_space(*s);
	*word = *s;
	n = strcspn(*s, " \t");
	*s += n;
	return n;
}

int group_rule_add(struct group_rules *rs, const char *line, char *why,
		   size_t why_size)
{
	const char *s = line, *name, *kind, *re;
	size_t name_len, kind_len;
	struct group_rule r = {0};
	char err[128];

	if (!*skip_space(s) || *skip_space(s) == '#')
		return 0;
	if (strchr(line, '\n') || strchr(line, '\r')) {
		snprintf(why, why_size, "a rule is one line");
		return -1;
	}
	name_len = next_word(&s, &name);
	kind_len = next_word(&s, &kind);
	re = skip_space(s);
	if (!kind_len || !*re) {
		snprintf(why, why_size, "a rule is NAME comm|cmdline REGEX");
		return -1;
	}
	if (kind_len == 4 && strncmp(kind, "comm", 4) == 0)
		r.match = GROUP_MATCH_COMM;
	else if (kind_len == 7 && strncmp(kind, "cmdline", 7) == 0)
		r.match = GROUP_MATCH_CMDLINE;
	else {
		snprintf(why, why_size, "a rule matches comm or cmdline, not '%.*s'",
			 (int)(kind_len > 32 ? 32 : kind_len), kind);
		return -1;
	}
	if (rs->n >= GROUP_RULE_MAX) {
		snprintf(why, why_size, "more than %d rules", GROUP_RULE_MAX);
		return -1;
	}
	if (regex_compile(&r.re, re, REG_EXTENDED | REG_NOSUB, err, sizeof(err)) < 0) {
		snprintf(why, why_size, "bad regular expression '%.64s': %s", re, err);
		return -1;
	}
	if (!(name_len == strlen(GROUP_NAME_BY_COMM) &&
	      strncmp(name, GROUP_NAME_BY_COMM, name_len) == 0)) {
		r.name = xmalloc(name_len + 1);
		memcpy(r.name, name, name_len);
		r.name[name_len] = '\0';
	}
	rs->r = xreallocarray(rs->r, rs->n + 1, sizeof(*rs->r));
	rs->r[rs->n++] = r;
	return 1;
}

/* The file's text, at most GROUP_FILE_MAX bytes, from a regular file. */
static int read_rules_file(const char *path, struct buf *text, char *why,
			   size_t why_size)
{
	struct stat st;
	char chunk[4096];
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, why_size, "cannot read the rules file %s: %s",
			 path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* A FIFO or a device could block or never end. */
	if (!S_ISREG(st.st_mode) || st.st_size > GROUP_FILE_MAX) {
		snprintf(why, why_size, "the rules file %s is not a regular file"
			 " of at most %d bytes", path, GROUP_FILE_MAX);
		close(fd);
		return -1;
	}
	while ((got = read(fd, chunk, sizeof(chunk))) > 0 &&
	       text->len + (size_t)got <= GROUP_FILE_MAX)
		buf_append(text, chunk, (size_t)got);
	close(fd);
	buf_putc(text, '\0');
	return 0;
}

int group_rules_load(struct group_rules *rs, const char *path, char *why,
		     size_t why_size)
{
	struct buf text = {0};
	char *line, *rest, inner[256];
	int lineno = 0, rc = 0;

	if (read_rules_file(path, &text, why, why_size) < 0)
		return -1;
	if (memchr(text.data, '\0', text.len - 1)) {
		snprintf(why, why_size, "the rules file %s holds a NUL byte", path);
		buf_free(&text);
		return -1;
	}
	rest = text.data;
	while (rc == 0 && (line = strsep(&rest, "\n"))) {
		size_t n = strlen(line);

		lineno++;
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (group_rule_add(rs, line, inner, sizeof(inner)) < 0) {
			snprintf(why, why_size, "%s:%d: %s", path, lineno, inner);
			rc = -1;
		}
	}
	buf_free(&text);
	return rc;
}

const struct group_rule *group_rules_match(const struct group_rules *rs,
					   const char *comm,
					   const char *cmdline)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct group_rule *r = &rs->r[i];
		const char *s = r->match == GROUP_MATCH_COMM ? comm : cmdline;

		if (s && regexec(&r->re, s, 0, NULL, 0) == 0)
			return r;
	}
	return NULL;
}

bool group_rules_need_cmdline(const struct group_rules *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->r[i].match == GROUP_MATCH_CMDLINE)
			return true;
	return false;
}

void group_rules_free(struct group_rules *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		regfree(&rs->r[i].re);
		free(rs->r[i].name);
	}
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
}
