/*
 * cmd.h - the command table (tmux's cmd_entry): one entry per cmd_*.c,
 * listed once in cmd_table[] (cmd.c).  Dispatch, `pmon help CMD`,
 * `pmon CMD --help` and the command list of `pmon --help` all come from it.
 * Each command's options are one table (struct cmd_opt) from which
 * getopt's arrays, the option list of --help and the shell completion
 * (`pmon completion`) are all made.
 */
#ifndef PMON_CMD_H
#define PMON_CMD_H

#include <stdio.h>

#include "cmd/usage.h"
#include "util/util.h"

/* What an option's value (or a command's operand) is: what getopt
 * expects and what the shell completion offers for it. */
enum cmd_arg {
	ARG_NONE,       /* a flag: no value */
	ARG_PID,        /* a running process */
	ARG_PIDS,       /* PID,PID,... */
	ARG_USER,       /* a user name or uid */
	ARG_USERS,      /* USER,USER,... */
	ARG_GROUP,      /* a group name or gid */
	ARG_SIGNAL,     /* a signal name or number */
	ARG_FIELDS,     /* KEY,KEY,... of the field registry */
	ARG_SORT,       /* [-]KEY of the field registry */
	ARG_FILE,       /* a path */
	ARG_SECONDS,    /* a duration */
	ARG_NUMBER,     /* a count or a descriptor number */
	ARG_TEXT,       /* free text */
	ARG_WORD,       /* one of cmd_opt.words */
	ARG_COMMAND,    /* a command of pmon */
};

/* One option of a command, in the order --help lists them. */
struct cmd_opt {
	char short_name;        /* -x, or 0 when there is only the long one */
	const char *long_name;
	int val;                /* what cmd_getopt returns for it */
	enum cmd_arg arg;
	const char *metavar;    /* the value in --help ("KEY,..."), or NULL */
	const char *words;      /* ARG_WORD: the values, space-separated */
	/* The --help text, lines split by \n.  NULL: shares the help of the
	 * option before it, shown on that one's line ("--a N, --b N  help"). */
	const char *help;
};

/* An option with -X and --LONG; cmd_getopt returns 'X'. */
#define CMD_OPT(s, l, kind, meta, text) \
	{.short_name = (s), .long_name = (l), .val = (s), .arg = (kind), \
	 .metavar = (meta), .help = (text)}
/* An option with --LONG only; cmd_getopt returns CODE (a letter of the
 * command's own that is not one of its short options). */
#define CMD_LONG(l, code, kind, meta, text) \
	{.long_name = (l), .val = (code), .arg = (kind), .metavar = (meta), \
	 .help = (text)}

struct cmd_entry {
	const char *name;
	const char *alias;   /* NULL when there is none */
	const char *summary; /* one line, no trailing period */
	const char *usage;   /* the argument template after "pmon NAME" */
	/* Lines about the operands, before the options (may be NULL). */
	const char *operands_help;
	/* The options but -h/--help (every command has that one), ending
	 * with a {0} row; NULL for none. */
	const struct cmd_opt *opts;
	enum cmd_arg operand;      /* what the operands are, for completion */
	const char *operand_words; /* ARG_WORD operands, space-separated */
	const char *notes;   /* text after the option list (may be NULL) */
	int (*exec)(int argc, char **argv);
};

extern const struct cmd_entry *const cmd_table[];
const struct cmd_entry *cmd_find(const char *name);
void cmd_print_help(const struct cmd_entry *cmd, FILE *out);
/* The usage of pmon itself and the list of commands. */
void cmd_print_main_help(FILE *out);
/* getopt_long over the running command's option table, with what every
 * command does alike: -h/--help prints its help and exits 0; an unknown
 * option or a missing value is a usage error (exit 2).  Returns the
 * option's val, or -1 at the end of the options. */
int cmd_getopt(int argc, char **argv);
/* Calls FN for each of CMD's options, -h/--help last. */
void cmd_opt_each(const struct cmd_entry *cmd,
		  void (*fn)(const struct cmd_opt *o, void *ctx), void *ctx);

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
/* cmd_table, set by main, for a command that lists the others (pmon
 * completion): table.c depends on every command, so none may use its
 * symbols. */
extern const struct cmd_entry *const *cmd_commands;

#endif
