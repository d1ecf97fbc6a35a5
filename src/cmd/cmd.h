/*
 * cmd.h - the command table (tmux's cmd_entry): one entry per cmd_*.c,
 * listed once in cmd_table[] (cmd.c).  Dispatch, `pmon help CMD`,
 * `pmon CMD --help` and the command list of `pmon --help` all come from it.
 */
#ifndef PMON_CMD_H
#define PMON_CMD_H

#include <stdio.h>

#include "util/util.h"

struct cmd_entry {
	const char *name;
	const char *alias;   /* NULL when there is none */
	const char *summary; /* one line, no trailing period */
	const char *usage;   /* the argument template after "pmon NAME" */
	const char *help;    /* option list: "  -x, --long   text\n" per line */
	int (*exec)(int argc, char **argv);
};

extern const struct cmd_entry *const cmd_table[];
const struct cmd_entry *cmd_find(const char *name);
void cmd_print_help(const struct cmd_entry *cmd, FILE *out);
/* The usage of pmon itself and the list of commands. */
void cmd_print_main_help(FILE *out);
/* getopt_long for the running command, with what every command does alike:
 * -h/--help prints its help and exits 0; an unknown option or a missing
 * value is a usage error (exit 2).  SHORTOPTS start with ':' and hold 'h'. */
struct option;
int cmd_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts);

/* On stderr, one line when /proc shows another PID namespace than pmon's
 * own (proc_pidns_note), so that the user knows whose PIDs are shown and
 * taken; nothing otherwise. */
void cmd_note_pidns(void);
/* How the process table is read (proc/backend.h): name from --backend,
 * or NULL for PMON_BACKEND.  An unknown name is a usage error; bpf where
 * it cannot be used (no privilege, not built) exits 1 with the reason. */
void cmd_backend_setup(const char *name);
/* `pmon --version`: the version, then the backends this build has. */
void cmd_print_version(FILE *out);

/* The command running now (set by main before it runs). */
extern const struct cmd_entry *cmd_current;

#endif
