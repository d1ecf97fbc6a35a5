/*
 * cmd_completion.c - `pmon completion bash|zsh|fish`: the shell
 * completion script, made from the command table (each command's option
 * table and operand kind) and the field registry, so that it offers what
 * this very pmon takes.  What changes while the shell runs (processes)
 * the scripts ask of `pmon completion --pids`; users and groups they ask
 * of the shell, which knows them.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "act/signals.h"
#include "cmd/cmd.h"
#include "proc/proc.h"
#include "view/escape.h"
#include "view/field.h"

static const struct cmd_opt completion_opts[] = {
	CMD_LONG("pids", 'P', ARG_NONE, NULL,
		 "print \"PID<TAB>NAME\" for every process (names\n"
		 "escaped as pmon ps shows them): what the scripts\n"
		 "offer for a PID"),
	{0},
};

/* ---- what every script needs ---------------------------------------------- */

/* The first line of an option's help, the one a menu has room for. */
static void first_line(const char *help, struct buf *out)
{
	size_t n = strcspn(help, "\n");

	buf_printf(out, "%.*s", (int)n, help);
}

/* The options of the option that carries them (a NULL help shares the
 * row before it). */
static const char *opt_help(const struct cmd_opt *o)
{
	while (!o->help)
		o--;
	return o->help;
}

static void each_signal(void (*fn)(const char *name, void *ctx), void *ctx)
{
	char name[32];

	for (int sig = 1; sig < NSIG; sig++) {
		signal_name(sig, name, sizeof(name));
		if (strspn(name, "0123456789") < strlen(name))
			fn(name, ctx); /* not 32 and 33, which glibc keeps */
	}
}

/* A word list for a shell: space-separated, none needing quotes (keys,
 * signal names and command names are ours). */
static void add_word(const char *w, void *ctx)
{
	struct buf *b = ctx;

	buf_printf(b, "%s%s", b->len ? " " : "", w);
}

static void signal_words(struct buf *b)
{
	each_signal(add_word, b);
}

static void field_words(struct buf *b)
{
	for (size_t i = 0; i < nfields; i++)
		add_word(fields[i].key, b);
}

static void command_words(struct buf *b)
{
	for (const struct cmd_entry *const *c = cmd_commands; *c; c++) {
		add_word((*c)->name, b);
		if ((*c)->alias)
			add_word((*c)->alias, b);
	}
}

/* The word lists a script starts with: signal names, field keys and
 * commands, each as "NAME" OPEN words CLOSE (a NULL name: not wanted). */
static void print_word_lists(FILE *out, const char *const names[3],
			     const char *open, const char *close)
{
	void (*fill[3])(struct buf *b) = {signal_words, field_words, command_words};
	struct buf w = {0};

	for (int i = 0; i < 3; i++) {
		if (!names[i])
			continue;
		buf_reset(&w);
		fill[i](&w);
		fprintf(out, "%s%s%s%s\n", names[i], open, w.data, close);
	}
	buf_free(&w);
}

/* The name the scripts use for a value kind. */
static const char *kind_name(enum cmd_arg k)
{
	static const char *const names[] = {
		[ARG_NONE] = "none", [ARG_PID] = "pid", [ARG_PIDS] = "pids",
		[ARG_USER] = "user", [ARG_USERS] = "users",
		[ARG_GROUP] = "group", [ARG_SIGNAL] = "signal",
		[ARG_FIELDS] = "fields", [ARG_SORT] = "sort",
		[ARG_FILE] = "file", [ARG_SECONDS] = "none",
		[ARG_NUMBER] = "none", [ARG_TEXT] = "none",
		[ARG_WORD] = "word", [ARG_COMMAND] = "command",
	};

	return names[k];
}

/* Text inside shell single quotes: ' becomes '\''. */
static void single_quoted(const char *s, struct buf *out)
{
	buf_printf(out, "'");
	for (; *s; s++)
		buf_printf(out, *s == '\'' ? "'\\''" : "%c", *s);
	buf_printf(out, "'");
}

/* ---- bash ------------------------------------------------------------------ */

struct bash_cmd {
	struct buf words, cases;
};

static void bash_opt(const struct cmd_opt *o, void *ctx)
{
	struct bash_cmd *b = ctx;
	struct buf names = {0};

	if (o->short_name)
		buf_printf(&names, "-%c|", o->short_name);
	buf_printf(&names, "--%s", o->long_name);
	if (o->short_name)
		buf_printf(&b->words, " -%c", o->short_name);
	buf_printf(&b->words, " --%s", o->long_name);
	if (o->arg != ARG_NONE)
		buf_printf(&b->cases, "\t\t%s) kind=%s words='%s' ;;\n", names.data,
			   kind_name(o->arg), o->words ? o->words : "");
	buf_free(&names);
}

static void bash_command(const struct cmd_entry *cmd, FILE *out)
{
	struct bash_cmd b = {0};

	cmd_opt_each(cmd, bash_opt, &b);
	fprintf(out, "\t%s%s%s)\n\t\topts='%s'\n", cmd->name,
		cmd->alias ? "|" : "", cmd->alias ? cmd->alias : "",
		b.words.data + 1);
	fprintf(out, "\t\toperand=%s operand_words='%s'\n\t\tcase $optword in\n%s"
		"\t\tesac ;;\n", kind_name(cmd->operand),
		cmd->operand_words ? cmd->operand_words : "", b.cases.data ? b.cases.data : "");
	buf_free(&b.words);
	buf_free(&b.cases);
}

static const char bash_body[] =
	"# The candidates of one kind for $cur, into COMPREPLY.\n"
	"_pmon_kind() {\n"
	"\tlocal kind=$1 words=$2 cur=$3 head=\n"
	"\tcase $kind in\n"
	"\tpids|users|fields) head=${cur%\"${cur##*,}\"}; cur=${cur##*,} ;;\n"
	"\tsort) [[ $cur == -* ]] && head=- && cur=${cur#-} ;;\n"
	"\tesac\n"
	"\tcase $kind in\n"
	"\tpid|pids)\n"
	"\t\tlocal line pid\n"
	"\t\twhile IFS= read -r line; do\n"
	"\t\t\tpid=${line%%\t*}\n"
	"\t\t\t[[ $pid == \"$cur\"* ]] && COMPREPLY+=(\"$head$pid ${line#*\t}\")\n"
	"\t\tdone < <(\"${_pmon_cmd:-pmon}\" completion --pids 2>/dev/null)\n"
	"\t\t# Shown with their names while there is a choice; the PID\n"
	"\t\t# alone once it is the only one.\n"
	"\t\t[[ ${#COMPREPLY[@]} -eq 1 ]] && COMPREPLY=(\"${COMPREPLY[0]%% *}\")\n"
	"\t\treturn ;;\n"
	"\tuser|users) COMPREPLY=($(compgen -u -- \"$cur\")) ;;\n"
	"\tgroup) COMPREPLY=($(compgen -g -- \"$cur\")) ;;\n"
	"\tsignal) COMPREPLY=($(compgen -W \"$_pmon_signals\" -- \"${cur^^}\")) ;;\n"
	"\tfields|sort) COMPREPLY=($(compgen -W \"$_pmon_fields\" -- \"$cur\")) ;;\n"
	"\tfile) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
	"\tword) COMPREPLY=($(compgen -W \"$words\" -- \"$cur\")) ;;\n"
	"\tcommand) COMPREPLY=($(compgen -W \"$_pmon_commands\" -- \"$cur\")) ;;\n"
	"\t*) return ;;\n"
	"\tesac\n"
	"\tif [[ $kind == pids || $kind == users || $kind == fields ]]; then\n"
	"\t\tcompopt -o nospace 2>/dev/null\n"
	"\tfi\n"
	"\t[[ -n $head ]] && COMPREPLY=(\"${COMPREPLY[@]/#/$head}\")\n"
	"\treturn 0\n"
	"}\n\n"
	"_pmon() {\n"
	"\tlocal cur=${COMP_WORDS[COMP_CWORD]} i=1 cmd= optword= kind= words=\n"
	"\tlocal opts operand operand_words _pmon_cmd=${COMP_WORDS[0]}\n"
	"\tCOMPREPLY=()\n"
	"\t# The command: the first word that is not pmon's own option.\n"
	"\twhile [[ $i -lt $COMP_CWORD ]]; do\n"
	"\t\tcase ${COMP_WORDS[i]} in\n"
	"\t\t--backend) i=$((i + 2)) ;;\n"
	"\t\t-*) i=$((i + 1)) ;;\n"
	"\t\t*) cmd=${COMP_WORDS[i]}; break ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"\tif [[ -z $cmd ]]; then\n"
	"\t\tif [[ ${COMP_WORDS[COMP_CWORD-1]} == --backend ]]; then\n"
	"\t\t\t_pmon_kind word 'auto proc bpf' \"$cur\"\n"
	"\t\telif [[ $cur == -* ]]; then\n"
	"\t\t\tCOMPREPLY=($(compgen -W '--help --version --backend' -- \"$cur\"))\n"
	"\t\telse\n"
	"\t\t\t_pmon_kind command '' \"$cur\"\n"
	"\t\tfi\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\t# The option whose value is being typed: -o KEY, --sort=KEY\n"
	"\t# (bash splits at the =), or none.\n"
	"\tif [[ $cur == = ]]; then\n"
	"\t\toptword=${COMP_WORDS[COMP_CWORD-1]}; cur=\n"
	"\telif [[ ${COMP_WORDS[COMP_CWORD-1]} == = ]]; then\n"
	"\t\toptword=${COMP_WORDS[COMP_CWORD-2]}\n"
	"\telif [[ $COMP_CWORD -gt $((i + 1)) ]]; then\n"
	"\t\toptword=${COMP_WORDS[COMP_CWORD-1]}\n"
	"\tfi\n"
	"\tcase $cmd in\n";

static const char bash_tail[] =
	"\t*) return 0 ;;\n"
	"\tesac\n"
	"\tif [[ -n $kind ]]; then\n"
	"\t\t_pmon_kind \"$kind\" \"$words\" \"$cur\"\n"
	"\telif [[ $cur == -* ]]; then\n"
	"\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	"\telse\n"
	"\t\t# After kill -l come signals, not PIDs.\n"
	"\t\t[[ $cmd == kill && \" ${COMP_WORDS[*]} \" == *\" -l \"* ]] && operand=signal\n"
	"\t\t_pmon_kind \"$operand\" \"$operand_words\" \"$cur\"\n"
	"\tfi\n"
	"\treturn 0\n"
	"}\n"
	"complete -F _pmon pmon\n";

static void print_bash(FILE *out)
{
	static const char *const names[3] = {
		"_pmon_signals=", "_pmon_fields=", "_pmon_commands=",
	};

	fprintf(out, "# bash completion for pmon, made by `pmon completion bash`"
		" (pmon %s).\n\n", PMON_VERSION);
	print_word_lists(out, names, "'", "'");
	fprintf(out, "\n%s", bash_body);
	for (const struct cmd_entry *const *c = cmd_commands; *c; c++)
		bash_command(*c, out);
	fputs(bash_tail, out);
}

/* ---- zsh ------------------------------------------------------------------- */

/* Text inside an _arguments [help]: [ ] : \ escaped, then single-quoted. */
static void zsh_help(const char *help, struct buf *out)
{
	struct buf line = {0}, esc = {0};

	first_line(help, &line);
	for (const char *s = line.data; s && *s; s++)
		buf_printf(&esc, strchr("[]:\\", *s) ? "\\%c" : "%c", *s);
	buf_printf(out, "%s", esc.data ? esc.data : "");
	buf_free(&line);
	buf_free(&esc);
}

static const char *zsh_action(enum cmd_arg k)
{
	switch (k) {
	case ARG_PID: return "_pmon_pids";
	case ARG_PIDS: return "_sequence _pmon_pids";
	case ARG_USER: return "_users";
	case ARG_USERS: return "_sequence _users";
	case ARG_GROUP: return "_groups";
	case ARG_SIGNAL: return "_pmon_signals";
	case ARG_FIELDS: return "_pmon_fields";
	case ARG_SORT: return "_pmon_sort";
	case ARG_FILE: return "_files";
	case ARG_COMMAND: return "_pmon_commands";
	default: return " ";
	}
}

static void zsh_spec(const struct cmd_opt *o, const char *name,
		     const char *suffix, struct buf *b)
{
	struct buf spec = {0};

	buf_printf(&spec, "%s%s[", name, o->arg == ARG_NONE ? "" : suffix);
	zsh_help(opt_help(o), &spec);
	buf_printf(&spec, "]");
	if (o->arg == ARG_WORD)
		buf_printf(&spec, ":%s:(%s)", o->metavar, o->words);
	else if (o->arg != ARG_NONE)
		buf_printf(&spec, ":%s:%s", o->metavar, zsh_action(o->arg));
	buf_printf(b, " \\\n\t\t");
	single_quoted(spec.data, b);
	buf_free(&spec);
}

static void zsh_opt(const struct cmd_opt *o, void *ctx)
{
	struct buf name = {0};

	if (o->short_name) {
		buf_printf(&name, "-%c", o->short_name);
		zsh_spec(o, name.data, "+", ctx);
		buf_reset(&name);
	}
	buf_printf(&name, "--%s", o->long_name);
	zsh_spec(o, name.data, "=", ctx);
	buf_free(&name);
}

static void zsh_command(const struct cmd_entry *cmd, FILE *out)
{
	struct buf specs = {0};

	cmd_opt_each(cmd, zsh_opt, &specs);
	fprintf(out, "_pmon_cmd_%s() {\n\t_arguments -s -S%s", cmd->name,
		specs.data);
	if (cmd->operand == ARG_WORD)
		fprintf(out, " \\\n\t\t'*:%s:(%s)'", cmd->name, cmd->operand_words);
	else if (cmd->operand != ARG_NONE)
		fprintf(out, " \\\n\t\t'*:%s:%s'", kind_name(cmd->operand),
			zsh_action(cmd->operand));
	fprintf(out, "\n}\n\n");
	buf_free(&specs);
}

static const char zsh_body[] =
	"_pmon_pids() {\n"
	"\tlocal -a pids shown expl\n"
	"\tlocal line\n"
	"\tfor line in ${(f)\"$(${_pmon_cmd:-pmon} completion --pids 2>/dev/null)\"}; do\n"
	"\t\tpids+=(\"${line%%$'\\t'*}\")\n"
	"\t\tshown+=(\"${line%%$'\\t'*} -- ${line#*$'\\t'}\")\n"
	"\tdone\n"
	"\t_wanted pids expl process compadd -l -d shown -a pids\n"
	"}\n\n"
	"_pmon_signals() { compadd -a _pmon_signal_names }\n"
	"_pmon_fields() { _values -s , 'field' $_pmon_field_keys }\n"
	"_pmon_sort() {\n"
	"\tcompset -P '-'\n"
	"\tcompadd -a _pmon_field_keys\n"
	"}\n"
	"_pmon_commands() { _describe -t commands 'pmon command' _pmon_command_list }\n\n";

static const char zsh_main[] =
	"_pmon() {\n"
	"\tlocal curcontext=$curcontext state line _pmon_cmd=$words[1]\n"
	"\t_arguments -C \\\n"
	"\t\t'(- *)--help[show the help]' \\\n"
	"\t\t'(- *)--version[show the version and backends]' \\\n"
	"\t\t'--backend=[how the process table is read]:backend:(auto proc bpf)' \\\n"
	"\t\t'1:command:_pmon_commands' \\\n"
	"\t\t'*::argument:->args'\n"
	"\t[[ $state == args ]] || return\n"
	"\tcase $words[1] in\n";

static void print_zsh(FILE *out)
{
	static const char *const names[3] = {
		"_pmon_signal_names=", "_pmon_field_keys=", NULL,
	};
	struct buf w = {0};

	fprintf(out, "#compdef pmon\n# zsh completion for pmon, made by "
		"`pmon completion zsh` (pmon %s).\n\n", PMON_VERSION);
	print_word_lists(out, names, "(", ")");
	fprintf(out, "_pmon_command_list=(\n");
	for (const struct cmd_entry *const *c = cmd_commands; *c; c++) {
		fprintf(out, "\t%s:", (*c)->name);
		single_quoted((*c)->summary, &w);
		fprintf(out, "%s\n", w.data);
		if ((*c)->alias)
			fprintf(out, "\t%s:%s\n", (*c)->alias, w.data);
		buf_reset(&w);
	}
	buf_free(&w);
	fprintf(out, ")\n\n%s", zsh_body);
	for (const struct cmd_entry *const *c = cmd_commands; *c; c++)
		zsh_command(*c, out);
	fputs(zsh_main, out);
	for (const struct cmd_entry *const *c = cmd_commands; *c; c++)
		fprintf(out, "\t%s%s%s) _pmon_cmd_%s ;;\n", (*c)->name,
			(*c)->alias ? "|" : "", (*c)->alias ? (*c)->alias : "",
			(*c)->name);
	fputs("\tesac\n}\n\nif [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
	      "\t_pmon \"$@\"\nelse\n\tcompdef _pmon pmon\nfi\n", out);
}

/* ---- fish ------------------------------------------------------------------ */

static const char *fish_function(enum cmd_arg k)
{
	switch (k) {
	case ARG_PID: case ARG_PIDS: return "(__pmon_pids)";
	case ARG_USER: case ARG_USERS: return "(__pmon_users)";
	case ARG_GROUP: return "(__fish_complete_groups)";
	case ARG_SIGNAL: return "(__pmon_signals)";
	case ARG_FIELDS: case ARG_SORT: return "(__pmon_fields)";
	case ARG_COMMAND: return "(__pmon_commands)";
	default: return NULL;
	}
}

struct fish_ctx {
	const struct cmd_entry *cmd;
	FILE *out;
};

static void fish_opt(const struct cmd_opt *o, void *ctx)
{
	struct fish_ctx *f = ctx;
	struct buf line = {0}, help = {0};
	const char *fn = fish_function(o->arg);

	buf_printf(&line, "complete -c pmon -n '__fish_seen_subcommand_from %s%s%s'",
		   f->cmd->name, f->cmd->alias ? " " : "",
		   f->cmd->alias ? f->cmd->alias : "");
	if (o->short_name)
		buf_printf(&line, " -s %c", o->short_name);
	buf_printf(&line, " -l %s", o->long_name);
	if (o->arg == ARG_FILE)
		buf_printf(&line, " -r -F");
	else if (o->arg != ARG_NONE)
		buf_printf(&line, " -x");
	if (o->arg == ARG_WORD)
		buf_printf(&line, " -a '%s'", o->words);
	else if (fn)
		buf_printf(&line, " -a '%s'", fn);
	first_line(opt_help(o), &help);
	buf_printf(&line, " -d ");
	single_quoted(help.data, &line);
	fprintf(f->out, "%s\n", line.data);
	buf_free(&line);
	buf_free(&help);
}

static void fish_command(const struct cmd_entry *cmd, FILE *out)
{
	struct fish_ctx f = {cmd, out};
	struct buf d = {0};
	const char *fn = fish_function(cmd->operand);

	single_quoted(cmd->summary, &d);
	fprintf(out, "complete -c pmon -n __fish_use_subcommand -a %s -d %s\n",
		cmd->name, d.data);
	if (cmd->alias)
		fprintf(out, "complete -c pmon -n __fish_use_subcommand -a %s -d %s\n",
			cmd->alias, d.data);
	buf_free(&d);
	cmd_opt_each(cmd, fish_opt, &f);
	if (cmd->operand == ARG_WORD)
		fn = cmd->operand_words;
	if (fn)
		fprintf(out, "complete -c pmon -n '__fish_seen_subcommand_from %s%s%s; "
			"and not __pmon_after_list' -a '%s'\n", cmd->name,
			cmd->alias ? " " : "", cmd->alias ? cmd->alias : "", fn);
	fputc('\n', out);
}

static const char fish_body[] =
	"# The token being completed, without an --option= before it.\n"
	"function __pmon_token\n"
	"\tstring replace -r -- '^--[^=]*=' '' (commandline -ct)\n"
	"end\n"
	"# The candidates with the part of the token up to its last comma\n"
	"# (-o pid,co -> pid,comm), for the KEY,... and PID,... lists.\n"
	"function __pmon_with_head\n"
	"\tset -l head (string replace -r -- '[^,]*$' '' (__pmon_token))\n"
	"\tfor c in $argv\n"
	"\t\techo \"$head$c\"\n"
	"\tend\n"
	"end\n"
	"function __pmon_pids\n"
	"\t__pmon_with_head (command pmon completion --pids 2>/dev/null)\n"
	"end\n"
	"function __pmon_signals\n"
	"\tprintf '%s\\n' $__pmon_signal_names\n"
	"end\n"
	"function __pmon_fields\n"
	"\tset -l tok (__pmon_token)\n"
	"\tif string match -q -- '-*' \"$tok\"; and not string match -q -- '*,*' \"$tok\"\n"
	"\t\tprintf '%s\\n' -$__pmon_field_keys\n"
	"\telse\n"
	"\t\t__pmon_with_head $__pmon_field_keys\n"
	"\tend\n"
	"end\n"
	"function __pmon_users\n"
	"\t__pmon_with_head (__fish_complete_users)\n"
	"end\n"
	"function __pmon_commands\n"
	"\tprintf '%s\\n' $__pmon_command_names\n"
	"end\n"
"# kill -l takes signals, not PIDs.\n"
	"function __pmon_after_list\n"
	"\tcontains -- -l (commandline -opc); or contains -- --list (commandline -opc)\n"
	"end\n"
	"complete -c pmon -n '__fish_seen_subcommand_from kill; and __pmon_after_list'"
	" -x -a '(__pmon_signals)'\n\n";

static void print_fish(FILE *out)
{
	static const char *const names[3] = {
		"set -g __pmon_signal_names ", "set -g __pmon_field_keys ",
		"set -g __pmon_command_names ",
	};

	fprintf(out, "# fish completion for pmon, made by `pmon completion fish`"
		" (pmon %s).\n\n", PMON_VERSION);
	print_word_lists(out, names, "", "");
	fprintf(out, "\n%s", fish_body);
	fputs("complete -c pmon -f\n"
	      "complete -c pmon -n __fish_use_subcommand -l version -d 'show the version and backends'\n"
	      "complete -c pmon -n __fish_use_subcommand -l backend -x -a 'auto proc bpf'"
	      " -d 'how the process table is read'\n\n", out);
	for (const struct cmd_entry *const *c = cmd_commands; *c; c++)
		fish_command(*c, out);
}

/* ---- the command ----------------------------------------------------------- */

/* "PID\tNAME" per process, the name escaped as pmon ps shows it (a
 * name is the process's to choose: it must not end the line or the
 * field, nor reach the terminal raw in a menu). */
static int print_pids(void)
{
	struct snapshot snap;
	struct snapshot_query q = {.need = PI_COMM};
	char name[128];

	if (snapshot_take(&snap, &q) < 0)
		pmon_die_errno(EXIT_FAIL, errno, "cannot read the process table");
	for (size_t i = 0; i < snap.n; i++)
		printf("%d\t%s\n", (int)snap.procs[i].pid,
		       esc_string(snap.procs[i].comm ? snap.procs[i].comm : "?",
				  false, name, sizeof(name)));
	snapshot_free(&snap);
	return finish_stdout(EXIT_OK);
}

static int completion_exec(int argc, char **argv)
{
	static const struct {
		const char *shell;
		void (*print)(FILE *out);
	} shells[] = {
		{"bash", print_bash}, {"zsh", print_zsh}, {"fish", print_fish},
	};
	bool pids = false;

	while (cmd_getopt(argc, argv) != -1)
		pids = true; /* --pids, the only option */
	if (pids) {
		if (optind < argc)
			usage_error("--pids takes no SHELL");
		return print_pids();
	}
	if (optind + 1 != argc)
		usage_error("takes one of bash, zsh or fish");
	for (size_t i = 0; i < ARRAY_LEN(shells); i++) {
		if (strcmp(argv[optind], shells[i].shell) == 0) {
			shells[i].print(stdout);
			return finish_stdout(EXIT_OK);
		}
	}
	usage_error("unknown shell '%s' (bash, zsh or fish)", argv[optind]);
}

const struct cmd_entry cmd_completion_entry = {
	.name = "completion",
	.summary = "Print the shell completion script for bash, zsh or fish",
	.usage = "bash | zsh | fish",
	.opts = completion_opts,
	.operand = ARG_WORD,
	.operand_words = "bash zsh fish",
	.notes =
	"The script completes pmon's commands, their options, signal names,\n"
	"field keys (-o, --sort), user names and PIDs with their names.  The\n"
	"Debian package installs it; otherwise, for example:\n"
	"  pmon completion bash > ~/.local/share/bash-completion/completions/pmon\n"
	"  pmon completion zsh > ~/.zfunc/_pmon     (with ~/.zfunc in $fpath)\n"
	"  pmon completion fish > ~/.config/fish/completions/pmon.fish\n",
	.exec = completion_exec,
};
