/*
 * topfilter.c - top's filter expressions (see topfilter.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/topfilter.h"
#include "util/util.h"

static const struct {
	const char *key;
	enum filter_on on;
} keys[] = {
	{"name:", FT_NAME}, {"cmd:", FT_CMD}, {"user:", FT_USER},
	{"state:", FT_STATE}, {"cgroup:", FT_CGROUP},
	{"container:", FT_CONTAINER},
};

/*
 * How many copies of its atoms an extended regular expression makes when
 * glibc compiles it, roughly: glibc copies the tree under a bound ({m,n}:
 * n copies) and under + (two), so stacked or nested repetitions multiply
 * ("x+++..." with 50 +, found by make fuzz, took over 2 GiB).  A filter is
 * typed by a person, and no sensible one comes near REGEX_COPIES_MAX.
 */
#define REGEX_COPIES_MAX 10000.0

enum { NEST_MAX = 64 };

/* The factor of a repetition at p (its length into *len), 0 if none. */
static double repeat_factor(const char *p, size_t *len)
{
	char *end;
	long m, n;

	*len = 1;
	if (*p == '+')
		return 2;
	if (*p == '*' || *p == '?')
		return 1;
	if (*p != '{')
		return 0;
	m = strtol(p + 1, &end, 10);
	n = *end == ',' ? (end[1] == '}' ? m + 1 : strtol(end + 1, &end, 10)) : m;
	if (*end == ',')
		end++;
	end = strchr(end, '}');
	if (!end)
		return 0; /* regcomp says what is wrong */
	*len = (size_t)(end - p) + 1;
	return (double)(n > m ? n : m) + 1;
}

/* The end of the bracket expression that starts at p ('['). */
static const char *bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']')
		p++;
	return *p ? p : p - 1;
}

static bool regex_too_costly(const char *re)
{
	double sum[NEST_MAX + 1] = {0}, last[NEST_MAX + 1] = {0};
	int d = 0;

	for (const char *p = re; *p; p++) {
		size_t len;
		double f = repeat_factor(p, &len);

		if (f > 0 && p != re) {
			sum[d] += last[d] * (f - 1);
			last[d] *= f;
			p += len - 1;
		} else if (*p == '(' && d < NEST_MAX) {
			d++;
			sum[d] = last[d] = 0;
		} else if (*p == ')' && d > 0) {
			last[d - 1] = sum[d] ? sum[d] : 1;
			sum[d - 1] += last[d - 1];
			d--;
		} else if (*p != '|') {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '[')
				p = bracket_end(p);
			last[d] = 1;
			sum[d] += 1;
		}
		if (sum[d] > REGEX_COPIES_MAX || last[d] > REGEX_COPIES_MAX)
			return true;
	}
	return false;
}

static int parse_term(struct filter_term *t, const char *word, char *err,
		      size_t err_size)
{
	int flags = REG_EXTENDED | REG_NOSUB | REG_ICASE, rc;

	memset(t, 0, sizeof(*t));
	if (*word == '!')
		t->negate = true, word++;
	if (strncmp(word, "case:", 5) == 0)
		flags &= ~REG_ICASE, word += 5;
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (strncmp(word, keys[i].key, strlen(keys[i].key)) == 0) {
			t->on = keys[i].on;
			word += strlen(keys[i].key);
			break;
		}
	if (!*word) {
		snprintf(err, err_size, "a term with nothing to match");
		return -1;
	}
	if (t->on == FT_USER) {
		if (lookup_uid(word, &t->uid) < 0) {
			snprintf(err, err_size, "no such user '%.64s'", word);
			return -1;
		}
		return 0;
	}
	if (t->on == FT_STATE) {
		snprintf(t->states, sizeof(t->states), "%s", word);
		return 0;
	}
	if (regex_too_costly(word)) {
		snprintf(err, err_size, "bad pattern '%.64s': its repetitions would"
			 " make more than %.0f copies", word, REGEX_COPIES_MAX);
		return -1;
	}
	rc = regcomp(&t->re, word, flags);
	if (rc != 0) {
		char why[128];

		regerror(rc, &t->re, why, sizeof(why));
		snprintf(err, err_size, "bad pattern '%.64s': %s", word, why);
		return -1;
	}
	t->have_re = true;
	return 0;
}

static void free_terms(struct filter_term *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].have_re)
			regfree(&t[i].re);
	free(t);
}

int top_filter_set(struct top_filter *f, const char *text, char *err,
		   size_t err_size)
{
	char *copy = xstrdup(text), *save = NULL, *word;
	struct filter_term *terms = xcalloc(strlen(text) / 2 + 1, sizeof(*terms));
	size_t n = 0;

	for (word = strtok_r(copy, " \t", &save); word; word = strtok_r(NULL, " \t", &save)) {
		if (parse_term(&terms[n], word, err, err_size) < 0) {
			free_terms(terms, n);
			free(copy);
			return -1;
		}
		n++;
	}
	free(copy);
	top_filter_free(f);
	f->terms = terms;
	f->n = n;
	snprintf(f->text, sizeof(f->text), "%s", n ? text : "");
	return 0;
}

void top_filter_free(struct top_filter *f)
{
	free_terms(f->terms, f->n);
	f->terms = NULL;
	f->n = 0;
	f->text[0] = '\0';
}

static bool pattern_match(const regex_t *re, const char *s)
{
	return s && regexec(re, s, 0, NULL, 0) == 0;
}

static bool term_match(const struct filter_term *t, const struct proc *p)
{
	switch (t->on) {
	case FT_ANY:
		return pattern_match(&t->re, p->comm) || pattern_match(&t->re, p->cmdline);
	case FT_NAME:
		return pattern_match(&t->re, p->comm);
	case FT_CMD:
		return pattern_match(&t->re, p->cmdline);
	case FT_USER:
		return p->uid == t->uid;
	case FT_STATE:
		return p->state && strchr(t->states, p->state);
	case FT_CGROUP:
		return (p->have & PI_CONTAINER) && pattern_match(&t->re, p->cgroup_path);
	case FT_CONTAINER:
		return (p->have & PI_CONTAINER) && pattern_match(&t->re, p->container);
	}
	return false;
}

bool top_filter_match(const struct top_filter *f, const struct proc *p)
{
	for (size_t i = 0; i < f->n; i++)
		if (term_match(&f->terms[i], p) == f->terms[i].negate)
			return false;
	return true;
}

unsigned top_filter_need(const struct top_filter *f)
{
	unsigned need = 0;

	for (size_t i = 0; i < f->n; i++)
		switch (f->terms[i].on) {
		case FT_ANY: case FT_CMD: need |= PI_CMDLINE | PI_COMM; break;
		case FT_NAME: need |= PI_COMM; break;
		case FT_USER: need |= PI_UID; break;
		case FT_STATE: need |= PI_STATE; break;
		case FT_CGROUP: case FT_CONTAINER: need |= PI_CONTAINER; break;
		}
	return need;
}
