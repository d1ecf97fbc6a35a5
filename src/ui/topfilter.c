/*
 * topfilter.c - top's filter expressions (see topfilter.h).
 */
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

static int parse_term(struct filter_term *t, const char *word, char *err,
		      size_t err_size)
{
	int flags = REG_EXTENDED | REG_NOSUB | REG_ICASE;
	char why[128];

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
	if (regex_compile(&t->re, word, flags, why, sizeof(why)) < 0) {
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
