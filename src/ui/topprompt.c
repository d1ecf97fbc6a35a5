/*
 * topprompt.c - the line prompts of top (search, filter, user, delay,
 * signal) and the one-key confirmations of k and r (y or n; Esc
 * cancels), as htop asks them.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "act/signals.h"
#include "ui/topframe.h"
#include "ui/topview_int.h"
#include "view/escape.h"

static const char *const titles[] = {
	[PROMPT_SEARCH] = "Search (Enter keeps it, n/p next/previous, Esc): ",
	[PROMPT_FILTER] = "Filter (regex; !neg; user: state: cmd: cgroup: container:): ",
	[PROMPT_USER] = "Show only the processes of user (empty: all): ",
	[PROMPT_DELAY] = "Seconds between refreshes: ",
	[PROMPT_ROOM] = "To the room (a message, /me, /msg, /claim; Enter sends, Esc): ",
};

void prompt_start(struct view *v, enum prompt p)
{
	v->prompt = p;
	v->input_len = 0;
	v->input[0] = '\0';
	v->msg[0] = '\0';
	/* The filter is edited, not retyped. */
	if (p == PROMPT_FILTER) {
		snprintf(v->input, sizeof(v->input), "%s", v->o->filter.text);
		v->input_len = strlen(v->input);
	}
}

/* The watch's process pid (its procs are sorted by pid), or NULL. */
static const struct proc *proc_of(const struct procwatch *w, pid_t pid)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (w->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->n && w->procs[lo].pid == pid ? &w->procs[lo] : NULL;
}

/* Someone else's claim on a target, said before the question: the
 * first one found, and how many targets are claimed. */
static void claimed_note(struct view *v, struct buf *out)
{
	const struct chat_claim *first = NULL;
	size_t n = 0;

	for (size_t i = 0; i < v->ntargets; i++) {
		const struct proc *p = proc_of(v->w, v->targets[i].pid);
		const struct chat_claim *c;
		bool mine;

		if (p && p->start_ticks == v->targets[i].start_ticks &&
		    (c = roompane_claim_of(v, p, &mine)) && !mine) {
			first = first ? first : c;
			n++;
		}
	}
	if (!first)
		return;
	buf_printf(out, ", claimed by %s", first->name);
	if (n > 1)
		buf_printf(out, " (and %zu more claimed)", n - 1);
}

/* The confirmation's question: what is about to happen, to whom. */
static void confirm_line(struct view *v, struct buf *out)
{
	char sig[16];

	if (v->confirm == CONFIRM_KILL)
		buf_printf(out, "Send %s to ", signal_name(v->pending_sig, sig, sizeof(sig)));
	else
		buf_puts(out, "Reap zombie(s) of ");
	if (v->ntargets == 1)
		buf_printf(out, "PID %d (%s)", (int)v->targets[0].pid, v->target_names[0]);
	else
		buf_printf(out, "%zu tagged processes", v->ntargets);
	claimed_note(v, out);
	buf_puts(out, "? [y/n]");
}

void prompt_line(struct view *v, struct buf *out)
{
	if (v->prompt == PROMPT_CONFIRM) {
		confirm_line(v, out);
		return;
	}
	if (v->prompt == PROMPT_SIGNAL) {
		if (v->ntargets == 1)
			buf_printf(out, "Send signal to PID %d (%s) [TERM]: ",
				   (int)v->targets[0].pid, v->target_names[0]);
		else
			buf_printf(out, "Send signal to %zu tagged processes [TERM]: ",
				   v->ntargets);
	} else if (v->prompt == PROMPT_CLAIM) {
		const struct proc *p = view_selected(v);

		buf_printf(out, "Claim PID %d (", p ? (int)p->pid : 0);
		if (p && p->comm)
			esc_append(out, p->comm, strlen(p->comm), v->utf8);
		buf_puts(out, ") in the room; why (Enter claims, Esc): ");
	} else {
		buf_puts(out, titles[v->prompt]);
	}
	esc_append(out, v->input, v->input_len, v->utf8);
}

/* ---- search -------------------------------------------------------------------- */

void search_next(struct view *v, int dir)
{
	long k;

	if (!v->search[0]) {
		view_message(v, false, "no search yet (/ or F3)");
		return;
	}
	top_frame_fetch_cmdlines(v->w, &v->rows);
	k = top_find(v->w, &v->rows, v->search,
		     v->rows.n ? (v->sel + (size_t)(dir > 0 ? 1 : v->rows.n - 1)) % v->rows.n : 0,
		     dir);
	if (k < 0) {
		char shown[96];

		view_message(v, true, "no row matches '%s'",
			     esc_string(v->search, v->utf8, shown, sizeof(shown)));
		return;
	}
	view_select_row(v, (size_t)k);
}

/* Incremental: every key typed moves the selection to the first match
 * from the row the search started on. */
static void search_typed(struct view *v)
{
	long k;

	snprintf(v->search, sizeof(v->search), "%s", v->input);
	top_frame_fetch_cmdlines(v->w, &v->rows);
	k = top_find(v->w, &v->rows, v->search, v->sel, 1);
	if (k >= 0)
		view_select_row(v, (size_t)k);
}

/* ---- accepting ------------------------------------------------------------------- */

static void set_filter(struct view *v)
{
	char err[160], shown[200];

	if (top_filter_set(&v->o->filter, v->input, err, sizeof(err)) < 0)
		view_message(v, true, "filter not changed: %s",
			     esc_string(err, v->utf8, shown, sizeof(shown)));
}

static void set_user(struct view *v)
{
	char shown[96];

	if (v->input_len == 0) {
		v->o->nuids = 0;
		view_message(v, false, "all users");
		return;
	}
	if (lookup_uid(v->input, &v->user_uid) < 0) {
		view_message(v, true, "no such user '%s'",
			     esc_string(v->input, v->utf8, shown, sizeof(shown)));
		return;
	}
	free(v->o->uids);
	v->o->uids = xmalloc(sizeof(uid_t));
	v->o->uids[0] = v->user_uid;
	v->o->nuids = 1;
}

static void set_delay(struct view *v)
{
	if (top_delay_parse(v->input, &v->o->delay) < 0)
		view_message(v, true, "the delay is " TOP_DELAY_RULE);
	v->next_refresh = mono_now() + v->o->delay;
}

static void set_signal(struct view *v)
{
	int sig = v->input_len ? signal_from_name(v->input) : SIGTERM;
	char shown[96];

	if (sig <= 0) {
		view_message(v, true, "unknown signal '%s' (try TERM, KILL, HUP, INT, 9)",
			     esc_string(v->input, v->utf8, shown, sizeof(shown)));
		return;
	}
	v->pending_sig = sig;
	v->confirm = CONFIRM_KILL;
	prompt_start(v, PROMPT_CONFIRM);
}

static void accept(struct view *v)
{
	enum prompt p = v->prompt;

	v->prompt = PROMPT_NONE;
	v->input[v->input_len] = '\0';
	switch (p) {
	case PROMPT_SEARCH: snprintf(v->search, sizeof(v->search), "%s", v->input); return;
	case PROMPT_FILTER: set_filter(v); break;
	case PROMPT_USER: set_user(v); break;
	case PROMPT_DELAY: set_delay(v); return;
	case PROMPT_SIGNAL: set_signal(v); return;
	case PROMPT_ROOM: roompane_say(v); return;
	case PROMPT_CLAIM: roompane_claim(v, v->input); return;
	case PROMPT_CONFIRM: case PROMPT_NONE: return;
	}
	view_rebuild(v);
}

/* One key: y acts, n or Esc (or anything else) does not. */
static void confirm_key(struct view *v, int ch)
{
	v->prompt = PROMPT_NONE;
	if (ch == 'y' || ch == 'Y') {
		if (v->confirm == CONFIRM_KILL)
			act_kill(v, v->pending_sig);
		else
			act_reap(v);
		view_rebuild(v);
		return;
	}
	view_message(v, false, v->confirm == CONFIRM_KILL ? "no signal sent" : "not reaped");
}

static bool prompt_takes_utf8(enum prompt p)
{
	return p == PROMPT_ROOM || p == PROMPT_CLAIM || p == PROMPT_SEARCH ||
	       p == PROMPT_FILTER;
}

void prompt_key(struct view *v, int ch)
{
	if (v->prompt == PROMPT_CONFIRM) {
		confirm_key(v, ch);
		return;
	}
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER:
		accept(v);
		return;
	case 27: /* Esc */
		v->prompt = PROMPT_NONE;
		return;
	case KEY_F(3): case KEY_DOWN:
		if (v->prompt == PROMPT_SEARCH)
			search_next(v, 1);
		return;
	case KEY_UP:
		if (v->prompt == PROMPT_SEARCH)
			search_next(v, -1);
		return;
	case KEY_BACKSPACE: case 127: case 8:
		/* a whole UTF-8 character: its continuation bytes too */
		while (v->input_len && (v->input[v->input_len - 1] & 0xc0) == 0x80)
			v->input_len--;
		if (v->input_len)
			v->input[--v->input_len] = '\0';
		v->input[v->input_len] = '\0';
		break;
	default:
		/* Text (the room's, a search, a filter: names may be UTF-8)
		 * comes byte by byte from getch; a user, a delay and a
		 * signal are ASCII. */
		if (ch < 0x20 || ch == 0x7f || ch > 0xff ||
		    (ch > 0x7f && !prompt_takes_utf8(v->prompt)) ||
		    v->input_len + 1 >= sizeof(v->input))
			return;
		v->input[v->input_len++] = (char)ch;
		v->input[v->input_len] = '\0';
	}
	if (v->prompt == PROMPT_SEARCH)
		search_typed(v);
}
