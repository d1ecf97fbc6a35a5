/*
 * procstat.c - ps-style STAT strings, state names and state counts.
 */
#include <stdio.h>
#include <string.h>

#include "proc/procstat.h"

void format_stat(const struct stat_inputs *in, char out[STAT_MAX])
{
	size_t n = 0;

	/* The order is ps's (procps output.c pr_stat), which scripts and
	 * eyes are used to: state, priority, locked, leader, threads, fg. */
	out[n++] = in->state ? in->state : '?';
	if (in->nice < 0)
		out[n++] = '<';
	else if (in->nice > 0)
		out[n++] = 'N';
	if (in->locked)
		out[n++] = 'L';
	if (in->session == in->pid)
		out[n++] = 's';
	if (in->threads > 1)
		out[n++] = 'l';
	if (in->pgrp == in->tpgid)
		out[n++] = '+';
	out[n] = '\0';
}

const char *state_name(char state)
{
	switch (state) {
	case 'R': return "running";
	case 'S': return "sleeping";
	case 'D': return "disk sleep";
	case 'T': return "stopped";
	case 't': return "tracing stop";
	case 'Z': return "zombie";
	case 'X': return "dead";
	case 'I': return "idle";
	case 'P': return "parked";
	case 'W': return "waking";
	case 'K': return "wakekill";
	default:  return "unknown";
	}
}

const char state_slot_letters[STATE_SLOTS] = {
	'R', 'S', 'D', 'T', 't', 'Z', 'I', 'X', '?',
};

int state_slot(char state)
{
	for (int i = 0; i < STATE_SLOTS - 1; i++)
		if (state_slot_letters[i] == state)
			return i;
	return STATE_SLOTS - 1;
}

void state_counts_add(struct state_counts *c, char state, int threads)
{
	c->total++;
	if (state == 'Z' && threads > 1)
		c->leader_exited++;
	else
		c->n[state_slot(state)]++;
}

size_t state_counts_of(const struct state_counts *c, const char *letters)
{
	size_t n = 0;

	for (; *letters; letters++)
		n += c->n[state_slot(*letters)];
	return n;
}

size_t format_state_counts(const struct state_counts *c, char *out, size_t size)
{
	size_t len = 0;
	bool first = true;
	int n;

#define APPEND(...)                                                        \
	do {                                                               \
		n = snprintf(out + (len < size ? len : size),              \
			     len < size ? size - len : 0, __VA_ARGS__);    \
		len += n < 0 ? 0 : (size_t)n;                              \
	} while (0)

	APPEND("%zu process%s:", c->total, c->total == 1 ? "" : "es");
	for (int i = 0; i < STATE_SLOTS; i++) {
		char letter = state_slot_letters[i];
		/* Always show the five states the course (and ps users)
		 * name; the rare ones only when present. */
		bool always = strchr("RSDTZ", letter) != NULL;

		if (!always && c->n[i] == 0)
			continue;
		APPEND("%s %zu %s", first ? "" : ",", c->n[i],
		       letter == '?' ? "other" : state_name(letter));
		first = false;
	}
	if (c->leader_exited)
		APPEND(", %zu main thread exited", c->leader_exited);
#undef APPEND
	return len;
}

/* v's two last digits at t + n; the length after them. */
static size_t put_2digits(char *t, size_t n, long v)
{
	t[n++] = (char)('0' + v / 10 % 10);
	t[n++] = (char)('0' + v % 10);
	return n;
}

/* Written digit by digit: with snprintf this was a quarter of what
 * `pmon ps` cost in user space through the BPF backend (13.8M of 53M
 * instructions at 10,172 processes, callgrind), one ELAPSED a row. */
void format_duration(long s, bool hours, char *out, size_t size)
{
	char t[32], days[24]; /* a long's days (15 digits), '-' and hh:mm:ss */
	size_t n = 0, nd = 0;

	if (s < 0) {
		t[n++] = '-';
	} else {
		for (long d = s / 86400; d; d /= 10)
			days[nd++] = (char)('0' + d % 10);
		while (nd)
			t[n++] = days[--nd];
		if (n)
			t[n++] = '-';
		if (n || hours || s >= 3600) {
			n = put_2digits(t, n, s / 3600 % 24);
			t[n++] = ':';
		}
		n = put_2digits(t, n, s / 60 % 60);
		t[n++] = ':';
		n = put_2digits(t, n, s % 60);
	}
	if (size == 0)
		return;
	if (n >= size)
		n = size - 1;
	memcpy(out, t, n);
	out[n] = '\0';
}

void format_elapsed(long s, char *out, size_t size)
{
	format_duration(s, false, out, size);
}
