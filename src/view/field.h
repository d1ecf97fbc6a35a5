/*
 * field.h - the field registry.  One row per thing pmon can show about a
 * process: its column title and width, its JSON key, the snapshot items
 * (and so the /proc files) it costs, how to print it and how to sort by
 * it.  Columns, JSON objects, sort keys and the items asked of libproc2
 * are all driven from this one table.
 */
#ifndef PMON_FIELD_H
#define PMON_FIELD_H

#include <jansson.h>

#include "util/util.h"
#include "proc/proc.h"

enum field_id {
	FLD_PID,
	FLD_PPID,
	FLD_STATE,
	FLD_STAT,
	FLD_UID,
	FLD_USER,
	FLD_COMM,
	FLD_CMDLINE,
	FLD_THREADS,
	FLD_NICE,
	FLD_RSS,
	FLD_START,
	FLD_ELAPSED,
	FLD_TIME,
	FLD_COUNT
};

struct field {
	const char *header;   /* column title */
	const char *json_key; /* key in JSON output and name for --sort */
	int width;            /* > 0 right-aligned, < 0 left-aligned, 0 last */
	unsigned need;        /* enum proc_item bits */
	/* Raw text of the value (escaping is the output layer's job). */
	void (*text)(const struct proc *p, struct buf *out);
	/* A JSON value; fields not read (p->have) must give json_null(). */
	json_t *(*json)(const struct proc *p);
	/* Ascending order; ties are broken by pid by the caller. */
	int (*cmp)(const struct proc *a, const struct proc *b);
};

extern const struct field fields[FLD_COUNT];

/* By JSON key or (case-insensitively) column title; NULL if none. */
const struct field *field_find(const char *name);
/* The snapshot items a list of fields needs. */
unsigned fields_need(const enum field_id *ids, size_t n);

/* The keys every process object has in JSON (pid ... elapsed_s), and the
 * items they need. */
extern const enum field_id json_process_fields[];
extern const size_t json_process_nfields;
unsigned json_process_need(void);
/* A JSON object with every key of json_process_fields[]. */
json_t *proc_to_json(const struct proc *p);
/* A JSON string from raw bytes that may not be UTF-8 (invalid bytes
 * become U+FFFD), or json_null() for NULL. */
json_t *json_text(const char *s);

#endif
