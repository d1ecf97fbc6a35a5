/*
 * topfilter.h - top's filter (F4 or \): which rows to keep, from one line
 * of text.  Terms are separated by spaces and must all hold; a term is
 *
 *   PATTERN            the name or the command line matches
 *   name:PATTERN       the name (comm) matches
 *   cmd:PATTERN        the full command line matches
 *   user:USER          the effective user is USER (a name or a uid)
 *   state:LETTERS      the state is one of LETTERS (state:ZD)
 *   cgroup:PATTERN     the cgroup path matches
 *   container:PATTERN  the container or unit name matches
 *
 * PATTERN is a POSIX extended regular expression, matched without regard
 * to case; "case:" before a term (case:name:Foo) makes it case-sensitive.
 * "!" before a term negates it (!user:root, !state:S, !kworker).  Pure,
 * over struct proc: the model applies it, the unit tests feed it.
 */
#ifndef PMON_TOPFILTER_H
#define PMON_TOPFILTER_H

#include <regex.h>
#include <stdbool.h>
#include <sys/types.h>

#include "proc/proc.h"

enum filter_on { FT_ANY, FT_NAME, FT_CMD, FT_USER, FT_STATE, FT_CGROUP,
		 FT_CONTAINER };

struct filter_term {
	enum filter_on on;
	bool negate;
	bool have_re;
	regex_t re;
	uid_t uid;
	char states[16];
};

struct top_filter {
	struct filter_term *terms;
	size_t n;
	char text[256];  /* as typed: what the filter line shows */
};

/* Parse text into f (freed and replaced only when text is valid; an
 * empty text clears the filter).  0, or -1 with the reason in err. */
int top_filter_set(struct top_filter *f, const char *text, char *err,
		   size_t err_size);
void top_filter_free(struct top_filter *f);
static inline bool top_filter_active(const struct top_filter *f) { return f->n > 0; }

/* Does p pass every term? */
bool top_filter_match(const struct top_filter *f, const struct proc *p);

/* The proc items the terms look at (to be read for every process before
 * rows are chosen). */
unsigned top_filter_need(const struct top_filter *f);

#endif
