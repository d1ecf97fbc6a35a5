/*
 * procgroup.h - process groups for `pmon metrics`, as process-exporter
 * makes them: rules that put each process into a named group by its name
 * (comm) or its command line, first matching rule wins.
 *
 * A rule is one line, the same on the command line (--group) and in a
 * rules file (--groups-file, one rule per line, '#' comments):
 *
 *   NAME  comm|cmdline  REGEX
 *
 * NAME is the group (the "group" label), or "{comm}" for one group per
 * process name that matches; REGEX is a POSIX extended regular
 * expression, unanchored (the rest of the line, spaces included).
 */
#ifndef PMON_PROCGROUP_H
#define PMON_PROCGROUP_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

enum group_match { GROUP_MATCH_COMM, GROUP_MATCH_CMDLINE };

struct group_rule {
	char *name;            /* NULL: the process's comm ("{comm}") */
	enum group_match match;
	regex_t re;
};

struct group_rules {
	struct group_rule *r;
	size_t n;
};

#define GROUP_NAME_BY_COMM "{comm}"
#define GROUP_RULE_MAX 256      /* rules in all */
#define GROUP_FILE_MAX 65536    /* bytes of a rules file */

/* Add the rule of one line.  1: added; 0: the line is blank or a
 * comment; -1: not a rule, why (a sentence) in why. */
int group_rule_add(struct group_rules *rs, const char *line, char *why,
		   size_t why_size);
/* Add every rule of a file; -1 with why naming the file and line. */
int group_rules_load(struct group_rules *rs, const char *path, char *why,
		     size_t why_size);
/* The first rule that takes a process with this comm and command line
 * (cmdline NULL: not read, and no cmdline rule matches); NULL if none. */
const struct group_rule *group_rules_match(const struct group_rules *rs,
					   const char *comm,
					   const char *cmdline);
/* Does any rule look at command lines (one more file per process)? */
bool group_rules_need_cmdline(const struct group_rules *rs);
void group_rules_free(struct group_rules *rs);

#endif
