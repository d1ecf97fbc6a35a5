/*
 * field.h - the field registry: one row per thing pmon can show about a
 * process (procps's pids.c item table, for pmon).  Every view takes its
 * columns, JSON keys, sort keys and the items it asks of the process
 * layer from this one table: ps, tree, zombies and top, `-o` and
 * `--sort` in each, `pmon ps -o help`, and the shell completion.  A new
 * column is one row here (and, for a new item, one in the process layer).
 */
#ifndef PMON_FIELD_H
#define PMON_FIELD_H

#include "util/json_lib.h"
#include <stdbool.h>

#include "proc/proc.h"
#include "util/util.h"

/* The JSON type of a field's value (null when it could not be read). */
enum field_json { FJ_INT, FJ_REAL, FJ_TEXT, FJ_TEXTS /* array of strings */ };

enum {
	FIELD_DESCENDING = 1u << 0, /* top's natural order: biggest first */
	FIELD_OURS = 1u << 1,       /* text pmon makes itself (as numbers
	                               always are): ASCII, not escaped, never
	                               cut with '+' (it pushes the line) */
	FIELD_STATE = 1u << 2,      /* coloured by the process's state */
	FIELD_NAME = 1u << 3,       /* the name: " <defunct>" follows it */
};

/* Text that pmon made itself (FIELD_OURS, or any number), as opposed to
 * text from outside (names, command lines) that must be escaped. */
#define FIELD_IS_TEXT(f) ((f)->type == FJ_TEXT || (f)->type == FJ_TEXTS)
#define FIELD_IS_OURS(f) (!FIELD_IS_TEXT(f) || ((f)->flags & FIELD_OURS))

struct field {
	const char *key;      /* for -o and --sort, and the JSON key */
	const char *const *aliases; /* other names -o and --sort also
	                         take, NULL-terminated: pmon's short name
	                         first, then ps(1)'s where it names the
	                         same column (NULL: none) */
	const char *title;    /* column title */
	const char *help;     /* one line for -o help */
	int width;            /* > 0 right-aligned, < 0 left-aligned */
	unsigned need;        /* proc items: what it costs to read, where
	                         from and whether it needs privilege
	                         (proc_item_source) */
	enum field_json type;
	unsigned flags;       /* FIELD_* */
	/* The raw text of the value (escaping is the table's job); "-" when
	 * it could not be read. */
	void (*text)(const struct proc *p, struct buf *out);
	/* The JSON value; json_null() when it could not be read. */
	json_t *(*json)(const struct proc *p);
	/* Ascending order; ties are broken by pid by the caller. */
	int (*cmp)(const struct proc *a, const struct proc *b);
};

extern const struct field fields[];
extern const size_t nfields;

/* By key, an alias or (case-insensitively) title; NULL if none. */
const struct field *field_find(const char *name);

/* A list of columns: "-o pid,user,comm" style, or a command's default. */
struct field_list {
	const struct field *f[64];
	size_t n;
};
/* Parse "KEY,KEY,..." (a repeated -o adds to the list).  0, or -1 with
 * why (an unknown key, or more columns than a list holds) in why, the
 * text of a usage error for the caller; where names what spec came from
 * in it ("-o": "unknown field 'x' in -o ...").  The key is in why as
 * given, raw: usage_error escapes it, and so must any other caller that
 * shows why. */
int field_list_parse(struct field_list *l, const char *spec, const char *where,
		     char *why, size_t why_size);
/* A list from keys known to exist (a command's defaults). */
void field_list_of(struct field_list *l, const char *const *keys, size_t n);
unsigned field_list_need(const struct field_list *l);
bool field_list_has(const struct field_list *l, const struct field *f);

/* `pmon ps -o help`: every key with its title, what it is and where it
 * is read from (the process layer's item table). */
void field_help(struct buf *out);
/* One key as `pmon ps -o help --json` gives it: key, aliases, title,
 * help, type, descending, source, privileged. */
json_t *field_help_json(const struct field *f);

/* A sort key: a field, and which way.  "[-|+]KEY"; 0, or -1 if unknown. */
struct field_sort {
	const struct field *f;
	bool reverse;
};
int field_sort_parse(struct field_sort *s, const char *spec);
/* Compare two processes by s (ties: lower pid first); for qsort_r. */
int field_sort_cmp(const struct field_sort *s, const struct proc *a,
		   const struct proc *b);

/* The keys every process object has in JSON by default (pid ...
 * elapsed_s), and the items they need. */
void json_default_fields(struct field_list *l);
unsigned json_process_need(void);
/* A JSON object with the keys of l (the default list when NULL). */
json_t *proc_to_json(const struct proc *p, const struct field_list *l);
/* A JSON string from raw bytes that may not be UTF-8 (invalid bytes
 * become U+FFFD), or json_null() for NULL. */
json_t *json_text(const char *s);

/* What to write after a process's name: " <defunct>" for a zombie, or
 * " <main thread exited, N threads running>" for a thread-group leader
 * that is Z while its threads run (one meaning of zombie everywhere). */
void proc_name_suffix(const struct proc *p, struct buf *out);

/* The name of a controlling terminal from stat's tty_nr ("pts/3",
 * "tty1", "ttyS0"; "-" for none, "MAJ:MIN" for one unknown). */
void tty_name(int tty_nr, struct buf *out);

#endif
